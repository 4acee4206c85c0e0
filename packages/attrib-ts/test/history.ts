// A fixture for the dashboard's performance test (scripts/dashboard-perf.sh), not a test:
// gives the deployment's reward distributor a history of HISTORY_EPOCHS (1 000) epochs,
// each paid into, closed and settled, through cosmjs and the generated clients.
//
// How epochs pass: the distributor runs on curator staking's clock, so a deployment made
// with `--epoch-secs 1` has a new epoch every second. Every round one transaction pays
// into the current epoch and cranks the oldest due one in the same transaction
// (close_epoch, then settle_epoch: a one-denom epoch settles in one page). Payers take
// turns (bob, carol, devshop) and amounts vary, so the watch list's buyers and funding
// series move. The chain's clock is the wall clock, so N epochs take N seconds at best:
// nothing lets epochs pass faster than the blocks' timestamps do.
//
//   ATTRIB_NODE, ATTRIB_CHAIN_ID, ATTRIB_DEPLOYMENTS   the chain and its deployments file
//   HISTORY_EPOCHS                                     settled epochs wanted (1000)
import { readFileSync } from "node:fs";
import { SigningCosmWasmClient, type ExecuteInstruction } from "@cosmjs/cosmwasm";
import { GasPrice, calculateFee } from "@cosmjs/stargate";
import { connectChain, parseDeployments, queryClients, snapshot, type RewardDistributor } from "../src/index.ts";
import { env, testWallet } from "./env.ts";

const by = "scripts/dashboard-perf.sh";
const NODE = env("ATTRIB_NODE", by);
const CHAIN_ID = env("ATTRIB_CHAIN_ID", by);
const d = parseDeployments(JSON.parse(readFileSync(env("ATTRIB_DEPLOYMENTS", by), "utf8")));
const WANT = Number(process.env.HISTORY_EPOCHS ?? 1000);
const PAYERS = ["bob", "carol", "devshop"];
const POOL = d.contracts.reward_distributor.address;
// A close reads three contracts' statistics; a fixed limit spares a simulation per round.
const FEE = calculateFee(2_000_000, GasPrice.fromString("0.001uatr"));
const MIN_PAYMENT = 1_000; // attrib deploy's --min-payment (uatr)

type Event = { type: string; attributes: readonly { key: string; value: string }[] };
const attrs = (events: readonly Event[], type: string, key: string) =>
  events.filter((e) => e.type === `wasm-${type}`).flatMap((e) => e.attributes.filter((a) => a.key === key).map((a) => a.value));

const signers = await Promise.all(
  PAYERS.map(async (name) => {
    const { wallet, address } = await testWallet(name);
    const client = await SigningCosmWasmClient.connectWithSigner(NODE, wallet, { broadcastPollIntervalMs: 100 });
    return { name, address, client };
  }),
);
const chain = await connectChain(NODE, CHAIN_ID);
const q = async () => queryClients(await snapshot(chain), d).rewardDistributor;

const { config } = await (await q()).config();
console.error(`history: ${WANT} epochs of ${POOL} (${config.clock.epoch_secs} s each), payers ${PAYERS.join(", ")}`);
const t0 = Date.now();
const paid = new Set<number>();
let closed = 0;
let round = 0;
let failures = 0;
for (;;) {
  const pool = await q();
  const c = await pool.config();
  // An epoch is closed (not skipped) when one with inflows is due; settle it in the same tx.
  const due = c.settling == null && c.next_close < c.current_epoch;
  const closes =
    due &&
    (await pool.metrics({ from: c.next_close, to: Math.min(c.current_epoch - 1, c.next_close + 99) })).epochs.length > 0;
  if (closed >= WANT && c.settling == null && !closes) break;
  const msgs: RewardDistributor.ExecMsg[] = [];
  if (c.settling != null) msgs.push({ settle_epoch: { limit: 100 } });
  else if (due) msgs.push({ close_epoch: {} }, ...(closes ? [{ settle_epoch: { limit: 100 } }] : []));
  const payer = signers[round % signers.length];
  const instructions: ExecuteInstruction[] = msgs.map((msg) => ({ contractAddress: POOL, msg }));
  if (paid.size < WANT) {
    const amount = String(MIN_PAYMENT + ((round * 7_919) % 9_000));
    instructions.push({
      contractAddress: POOL,
      msg: { pay: { earmarks: [], reason: "direct_payment", payer: null } },
      funds: [{ denom: "uatr", amount }],
    });
  }
  round++;
  if (instructions.length === 0) {
    await new Promise((r) => setTimeout(r, 300)); // the last paid epoch is not due yet
    continue;
  }
  let res;
  try {
    res = await payer.client.executeMultiple(payer.address, instructions, FEE);
    failures = 0;
  } catch (e) {
    // A round that failed changed nothing (a transaction is all or nothing): the next
    // round reads the state again. Many in a row is a real problem.
    if (++failures > 10) throw e;
    console.error(`history: round ${round} failed (${(e as Error).message}); again`);
    continue;
  }
  for (const e of attrs(res.events, "attrib_reward_inflow", "epoch")) paid.add(Number(e));
  const n = attrs(res.events, "attrib_epoch_closed", "epoch").length;
  closed += n;
  if (n && closed % 100 === 0) console.error(`history: ${closed} epochs closed, ${paid.size} paid into, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
const secs = (Date.now() - t0) / 1000;
console.error(`history: ${closed} epochs closed and settled in ${secs.toFixed(0)} s (${round} rounds)`);
console.log(JSON.stringify({ epochs_settled: closed, epochs_paid: paid.size, rounds: round, seconds: Math.round(secs) }));
for (const s of signers) s.client.disconnect();
