// The generated clients against a live, deployed chain, through cosmjs: every figure read
// through them must equal what the `attrib` CLI reports (`-o json`) for the same query,
// and a schema and a dataset registered through the registry client must read back as
// sent. Run by scripts/ts-e2e.sh, which gives the chain by environment:
//   ATTRIB_NODE, ATTRIB_CHAIN_ID, ATTRIB_DEPLOYMENTS   the chain and its deployments file
//   ATTRIB_CLI                                          the `attrib` binary
//   ATTRIB_TS_SIGNER                                    test account that signs (carol)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createHash, randomBytes } from "node:crypto";
import { CosmWasmClient, SigningCosmWasmClient } from "@cosmjs/cosmwasm";
import { GasPrice } from "@cosmjs/stargate";
import {
  connectChain,
  snapshot,
  parseDeployments,
  queryClients,
  signingClients,
  type Deployments,
  type QueryClients,
  type SigningClients,
  type Registry,
} from "../src/index.ts";
import { env, testWallet } from "./env.ts";

const by = "scripts/ts-e2e.sh";
const NODE = env("ATTRIB_NODE", by);
const CHAIN_ID = env("ATTRIB_CHAIN_ID", by);
const DEPLOYMENTS = env("ATTRIB_DEPLOYMENTS", by);
const CLI = env("ATTRIB_CLI", by);
const SIGNER = process.env.ATTRIB_TS_SIGNER ?? "carol";
const DENOM = "uatr";
// The CLI's default gas price (packages/attrib-cli/src/context.rs).
const GAS_PRICE = GasPrice.fromString(`0.0025${DENOM}`);

/** `attrib … -o json` on the same chain and deployments, parsed. */
function attrib(...args: string[]): unknown {
  const out = execFileSync(
    CLI,
    ["--node", NODE, "--chain-id", CHAIN_ID, "--deployments", DEPLOYMENTS, "-o", "json", ...args],
    { encoding: "utf8" },
  );
  return JSON.parse(out);
}

/** The fee cosmjs pays for a gas limit: ceil(limit × gas price), in integers. */
function txFee(gasLimit: bigint): bigint {
  const scale = 10n ** BigInt(GAS_PRICE.amount.fractionalDigits);
  return (gasLimit * BigInt(GAS_PRICE.amount.atomics) + scale - 1n) / scale;
}

/** The value of `key` on the wasm event `type` (the contract's `attrib_*` event). */
function eventAttr(events: readonly { type: string; attributes: readonly { key: string; value: string }[] }[], type: string, key: string): string {
  const ev = events.find((e) => e.type === `wasm-${type}`);
  const v = ev?.attributes.find((a) => a.key === key)?.value;
  if (v === undefined) throw new Error(`no ${key} on event wasm-${type}: ${JSON.stringify(events)}`);
  return v;
}

let d: Deployments;
let client: CosmWasmClient;
let signing: SigningCosmWasmClient;
let q: QueryClients;
let tx: SigningClients;
let sender: string;

before(async () => {
  d = parseDeployments(JSON.parse(readFileSync(DEPLOYMENTS, "utf8")));
  const { wallet, address } = await testWallet(SIGNER);
  sender = address;
  client = await CosmWasmClient.connect(NODE);
  signing = await SigningCosmWasmClient.connectWithSigner(NODE, wallet, { gasPrice: GAS_PRICE });
  q = queryClients(client, d);
  tx = signingClients(signing, sender, d);
});

after(() => {
  client?.disconnect();
  signing?.disconnect();
});

test("the node serves the chain the deployments were made on", async () => {
  assert.equal(await client.getChainId(), CHAIN_ID);
  assert.equal(d.chain_id, CHAIN_ID);
  for (const c of Object.values(d.contracts)) {
    const info = await client.getContract(c.address);
    assert.equal(info.codeId, c.code_id, `code id of ${c.address}`);
  }
});

test("each contract's config through the generated client equals the CLI's", async () => {
  assert.deepEqual(await q.registry.config(), attrib("q", "registry", "config"));
  assert.deepEqual(await q.curatorStaking.config(), attrib("q", "curation", "config"));
  assert.deepEqual(await q.receiptOracle.config(), attrib("q", "oracle", "config"));
  assert.deepEqual(await q.rewardDistributor.config(), attrib("q", "rewards", "config"));
  // The wiring the config implies: the registry pays into this deployment's pool.
  const { config } = await q.registry.config();
  assert.equal(config.reward_pool, d.contracts.reward_distributor.address);
});

test("a schema and a dataset registered through the registry client read back as sent", async () => {
  const { config } = await q.registry.config();
  const schemaFee = config.schema_fee;
  const bond = config.dataset_bond;
  assert.ok(schemaFee && bond, "the deployment charges a schema fee and a dataset bond");
  const chain = await connectChain(NODE, CHAIN_ID);
  const before = await snapshot(chain);
  const statsBefore = await queryClients(before, d).registry.stats();

  // Bad input first: the schema fee left out is refused with the typed error, and nothing
  // changes (the simulation fails, so not even a fee is paid).
  const balance0 = await client.getBalance(sender, DENOM);
  const hash = createHash("sha256").update(randomBytes(32)).digest("hex");
  const uri = `ipfs://ts-e2e/schema/${hash.slice(0, 16)}`;
  await assert.rejects(tx.registry.registerSchema({ uri, hash }), (e: Error) => {
    assert.match(e.message, new RegExp(`payment required: send exactly ${schemaFee.amount}${schemaFee.denom}`));
    return true;
  });
  assert.deepEqual(await client.getBalance(sender, DENOM), balance0);
  assert.deepEqual(await q.registry.stats(), statsBefore);

  // The schema, paid: the sender pays the gas fee and the schema fee, the pool gets the fee.
  const pool = d.contracts.reward_distributor.address;
  const pool0 = BigInt((await client.getBalance(pool, schemaFee.denom)).amount);
  const res = await tx.registry.registerSchema({ uri, hash }, "auto", undefined, [schemaFee]);
  const schemaId = Number(eventAttr(res.events, "attrib_schema_registered", "schema_id"));
  const gasFee = txFee(BigInt(res.gasWanted));
  assert.equal(
    BigInt((await client.getBalance(sender, DENOM)).amount),
    BigInt(balance0.amount) - gasFee - BigInt(schemaFee.amount),
  );
  assert.equal(BigInt((await client.getBalance(pool, schemaFee.denom)).amount), pool0 + BigInt(schemaFee.amount));

  const schema = await q.registry.schema({ schemaId });
  assert.deepEqual(schema, attrib("q", "registry", "schema", "--schema-id", String(schemaId)));
  assert.equal(schema.schema.id, schemaId);
  assert.equal(schema.schema.uri, uri);
  assert.equal(schema.schema.hash, hash);
  assert.equal(schema.schema.owner, sender);

  // A dataset under it, with its listing bond.
  const dataset: Registry.NewDataset = {
    name: `ts-e2e ${hash.slice(0, 8)}`,
    schema_id: schemaId,
    metadata_uri: `ipfs://ts-e2e/dataset/${hash.slice(0, 16)}`,
    tier: "optimistic",
    terms: {
      commercial_use: true,
      derivatives_allowed: false,
      expiry: "perpetual",
      license: { spdx: "CC-BY-4.0" },
      price: [{ denom: DENOM, amount: "1000" }],
      royalty_per_unit: [{ denom: DENOM, amount: "3" }],
    },
  };
  const res2 = await tx.registry.registerDataset({ dataset }, "auto", undefined, [bond]);
  const datasetId = Number(eventAttr(res2.events, "attrib_dataset_registered", "dataset_id"));
  assert.equal(eventAttr(res2.events, "attrib_dataset_registered", "maintainer"), sender);

  const got = await q.registry.dataset({ datasetId });
  assert.deepEqual(got, attrib("q", "registry", "dataset", "--dataset-id", String(datasetId)));
  assert.equal(got.dataset.id, datasetId);
  assert.equal(got.dataset.name, dataset.name);
  assert.equal(got.dataset.maintainer, sender);
  assert.equal(got.dataset.schema_id, schemaId);
  assert.equal(got.dataset.tier, "optimistic");
  assert.equal(got.dataset.status, "active");
  assert.deepEqual(got.dataset.terms, dataset.terms);
  assert.deepEqual(got.dataset.bond_held, bond);

  const statsAfter = await q.registry.stats();
  assert.equal(statsAfter.stats.schemas, statsBefore.stats.schemas + 1);
  assert.equal(statsAfter.stats.datasets, statsBefore.stats.datasets + 1);
  // A snapshot keeps answering from its height; a new one sees the registrations.
  assert.deepEqual(await queryClients(before, d).registry.stats(), statsBefore);
  const now = await snapshot(chain);
  assert.ok(now.height > before.height);
  assert.deepEqual(await queryClients(now, d).registry.stats(), statsAfter);
  assert.equal(await now.balance(sender, DENOM), BigInt((await client.getBalance(sender, DENOM)).amount));
});

test("the §8 metrics through the generated client equal `attrib stats -o json` (after the schema fee, an inflow)", async () => {
  const { current_epoch } = await q.rewardDistributor.config();
  const from = Math.max(0, current_epoch - 9);
  const viaTs = await q.rewardDistributor.metrics({ from, to: current_epoch });
  assert.deepEqual(viaTs, attrib("stats", "--from-epoch", String(from), "--to-epoch", String(current_epoch)));
  // The schema fee paid above is an inflow of a recent epoch.
  assert.ok(viaTs.epochs.length > 0, "no epoch with inflows in the last ten");
  assert.ok(viaTs.epochs.every((e) => e.epoch >= from && e.epoch <= current_epoch));
});
