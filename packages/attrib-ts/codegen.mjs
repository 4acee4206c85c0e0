// Generates src/contracts/ from the committed JSON schemas (schema/<contract>/ at the
// repository root) with @cosmwasm/ts-codegen: one types file and one client file per
// contract (a QueryClient over any CosmWasmClient, a Client over a signing one), plus
// the generator's baseClient.ts. Run through scripts/ts.sh gen|check; the output is
// committed and never edited by hand.
//
//   node codegen.mjs [OUT_DIR]     (default: src/contracts)
import tsCodegen from "@cosmwasm/ts-codegen";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";

const codegen = tsCodegen.default ?? tsCodegen;
const here = dirname(fileURLToPath(import.meta.url));
const schemaRoot = join(here, "..", "..", "schema");
const outPath = process.argv[2] ?? join(here, "src", "contracts");

// Contract name in the generated code → schema folder (the deployments file's key is the
// folder name with '_' for '-').
export const CONTRACTS = {
  Registry: "registry",
  CuratorStaking: "curator-staking",
  ReceiptOracle: "receipt-oracle",
  RewardDistributor: "reward-distributor",
};

await codegen({
  contracts: Object.entries(CONTRACTS).map(([name, dir]) => ({ name, dir: join(schemaRoot, dir) })),
  outPath,
  options: {
    bundle: { enabled: false },
    types: { enabled: true },
    client: { enabled: true },
    reactQuery: { enabled: false },
    recoil: { enabled: false },
    messageComposer: { enabled: false },
    messageBuilder: { enabled: false },
    useContractsHook: { enabled: false },
  },
});
