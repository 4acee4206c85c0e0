// @attrib/ts: the generated clients of the four Attrib contracts (src/contracts/, from
// schema/ by @cosmwasm/ts-codegen) and the one place that binds them to a deployment.
//
// The generated clients take any object with cosmjs's `queryContractSmart` (a
// `CosmWasmClient`) and, for transactions, `execute` (a `SigningCosmWasmClient`):
//
//   const client = await CosmWasmClient.connect(node);
//   const q = queryClients(client, deployments);
//   const { config } = await q.registry.config();
import type { CosmWasmClient, SigningCosmWasmClient } from "@cosmjs/cosmwasm";
import type { ICosmWasmClient, ISigningCosmWasmClient } from "./contracts/baseClient";
import { RegistryClient, RegistryQueryClient } from "./contracts/Registry.client";
import { CuratorStakingClient, CuratorStakingQueryClient } from "./contracts/CuratorStaking.client";
import { ReceiptOracleClient, ReceiptOracleQueryClient } from "./contracts/ReceiptOracle.client";
import { RewardDistributorClient, RewardDistributorQueryClient } from "./contracts/RewardDistributor.client";

export * from "./contracts/Registry.client";
export * from "./contracts/CuratorStaking.client";
export * from "./contracts/ReceiptOracle.client";
export * from "./contracts/RewardDistributor.client";
// The message and response types, one namespace per contract (their names overlap:
// every contract has a `Config`).
export * from "./snapshot";
export type { ICosmWasmClient, ISigningCosmWasmClient } from "./contracts/baseClient";
export * as Registry from "./contracts/Registry.types";
export * as CuratorStaking from "./contracts/CuratorStaking.types";
export * as ReceiptOracle from "./contracts/ReceiptOracle.types";
export * as RewardDistributor from "./contracts/RewardDistributor.types";

/** One deployed contract, as `attrib deploy` writes it. */
export interface Deployed {
  code_id: number;
  checksum: string;
  address: string;
}

/** `deployments/<chain-id>.json`, written by `attrib deploy` (packages/attrib-cli/src/deployments.rs). */
export interface Deployments {
  chain_id: string;
  node: string;
  app_version: string;
  deployed_at_height: number;
  contracts: Record<ContractName, Deployed>;
  accounts: Record<string, string>;
  ibc?: Record<string, IbcLink>;
}

/** An ICS-20 channel to another chain (written by scripts/ibc.sh). */
export interface IbcLink {
  channel_id: string;
  counterparty_channel_id: string;
  counterparty_node: string;
  counterparty_prefix: string;
  counterparty_gas_prices: string;
  counterparty_denom: string;
}

/** The contracts' names in the deployments file. */
export const CONTRACT_NAMES = ["registry", "curator_staking", "receipt_oracle", "reward_distributor"] as const;
export type ContractName = (typeof CONTRACT_NAMES)[number];

/** Checks the shape of a parsed deployments file; throws naming what is missing. */
export function parseDeployments(doc: unknown): Deployments {
  const d = doc as Deployments;
  if (typeof d !== "object" || d === null || typeof d.chain_id !== "string" || typeof d.contracts !== "object") {
    throw new Error("not a deployments file: expected chain_id and contracts");
  }
  for (const name of CONTRACT_NAMES) {
    if (typeof d.contracts[name]?.address !== "string") {
      throw new Error(`contract ${name} is not in the deployments of ${d.chain_id}`);
    }
  }
  return d;
}

export interface QueryClients {
  registry: RegistryQueryClient;
  curatorStaking: CuratorStakingQueryClient;
  receiptOracle: ReceiptOracleQueryClient;
  rewardDistributor: RewardDistributorQueryClient;
}

/**
 * Read-only clients of the four contracts of a deployment, over a cosmjs `CosmWasmClient`
 * (latest state) or a `Snapshot` (one height).
 */
export function queryClients(client: ICosmWasmClient | CosmWasmClient, d: Deployments): QueryClients {
  return {
    registry: new RegistryQueryClient(client, d.contracts.registry.address),
    curatorStaking: new CuratorStakingQueryClient(client, d.contracts.curator_staking.address),
    receiptOracle: new ReceiptOracleQueryClient(client, d.contracts.receipt_oracle.address),
    rewardDistributor: new RewardDistributorQueryClient(client, d.contracts.reward_distributor.address),
  };
}

export interface SigningClients {
  registry: RegistryClient;
  curatorStaking: CuratorStakingClient;
  receiptOracle: ReceiptOracleClient;
  rewardDistributor: RewardDistributorClient;
}

/**
 * A cosmjs signing client as the generated clients' `ISigningCosmWasmClient`. The
 * generator's interface lets the fee be left out, cosmjs's `execute` does not: a left-out
 * fee is "auto" (simulate, then pay at the client's gas price), as the generated methods
 * default it anyway.
 */
export function asSigner(client: SigningCosmWasmClient): ISigningCosmWasmClient {
  return {
    queryContractSmart: (address, query) => client.queryContractSmart(address, query),
    execute: (sender, address, msg, fee = "auto", memo, funds) =>
      client.execute(sender, address, msg, fee, memo, funds),
  };
}

/** Clients that sign as `sender` (the signing client's account) on a deployment. */
export function signingClients(signing: SigningCosmWasmClient, sender: string, d: Deployments): SigningClients {
  const client = asSigner(signing);
  return {
    registry: new RegistryClient(client, sender, d.contracts.registry.address),
    curatorStaking: new CuratorStakingClient(client, sender, d.contracts.curator_staking.address),
    receiptOracle: new ReceiptOracleClient(client, sender, d.contracts.receipt_oracle.address),
    rewardDistributor: new RewardDistributorClient(client, sender, d.contracts.reward_distributor.address),
  };
}
