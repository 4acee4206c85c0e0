// Reads pinned to one block height: every query of a snapshot answers from the same
// state, so figures read together agree with each other and can be stamped with the
// height they were read at (what the dashboard shows, and what `attrib` reports when
// asked at that height).
import { fromBase64, fromUtf8, toHex, toUtf8 } from "@cosmjs/encoding";
import {
  QuerySmartContractStateRequest,
  QuerySmartContractStateResponse,
} from "cosmjs-types/cosmwasm/wasm/v1/query";
import { QueryDenomRequest, QueryDenomResponse } from "cosmjs-types/ibc/applications/transfer/v1/query";
import { QueryBalanceRequest, QueryBalanceResponse } from "cosmjs-types/cosmos/bank/v1beta1/query";
import type { ICosmWasmClient } from "./contracts/baseClient";

/**
 * A node's CometBFT JSON-RPC, the two calls reads need: `status` and `abci_query` at a
 * height. (Over fetch rather than @cosmjs/tendermint-rpc or @cosmjs/stargate's
 * QueryClient: those bring signing crypto and every module's codec into a browser page,
 * tripling its weight; the codecs used here are cosmjs-types'.)
 */
export class Rpc {
  private id = 0;
  constructor(readonly url: string) {}

  async call<T>(method: string, params: Record<string, unknown>): Promise<T> {
    const res = await fetch(this.url, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ jsonrpc: "2.0", id: ++this.id, method, params }),
    });
    if (!res.ok) throw new Error(`${method}: HTTP ${res.status} from ${this.url}`);
    const body = await res.json();
    if (body.error) throw new Error(`${method}: ${body.error.message} ${body.error.data ?? ""}`.trim());
    return body.result as T;
  }

  async status(): Promise<{ chainId: string; height: number }> {
    const r = await this.call<{ node_info: { network: string }; sync_info: { latest_block_height: string } }>("status", {});
    return { chainId: r.node_info.network, height: Number(r.sync_info.latest_block_height) };
  }

  /**
   * The latest height the application has committed: what queries can be asked at.
   * (`status` reports the block store's height, which runs ahead of the application's
   * commit for a moment each block: a query at it fails "height in the future".)
   */
  async appHeight(): Promise<number> {
    const r = await this.call<{ response: { last_block_height?: string } }>("abci_info", {});
    return Number(r.response.last_block_height ?? 0);
  }

  /** The value of an ABCI query at `height`; a failed query (code ≠ 0) throws its log. */
  async abciQuery(path: string, data: Uint8Array, height: number): Promise<Uint8Array> {
    const r = await this.call<{ response: { code: number; log: string; codespace: string; value: string | null } }>("abci_query", {
      path,
      data: toHex(data),
      height: String(height),
      prove: false,
    });
    const { code, log, codespace, value } = r.response;
    if (code) throw new Error(`query ${path} failed at height ${height} (${codespace} code ${code}): ${log}`);
    return value ? fromBase64(value) : new Uint8Array();
  }
}

/** A connection to a node, checked to serve the expected chain. */
export interface Chain {
  rpc: Rpc;
  chainId: string;
  /** Latest block height when the connection was made. */
  height: number;
}

/** Connects to a node's CometBFT RPC; refuses a node of another chain than `expectChainId`. */
export async function connectChain(url: string, expectChainId?: string): Promise<Chain> {
  const rpc = new Rpc(url);
  const { chainId, height } = await rpc.status();
  if (expectChainId !== undefined && chainId !== expectChainId) throw new WrongChainError(expectChainId, chainId);
  return { rpc, chainId, height };
}

export class WrongChainError extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the node serves chain ${actual}, not ${expected}`);
    this.name = "WrongChainError";
  }
}

/** The chain's state at one height: a client the generated QueryClients take, and bank and IBC reads. */
export interface Snapshot extends ICosmWasmClient {
  height: number;
  balance(address: string, denom: string): Promise<bigint>;
  /** An `ibc/<hash>` denom's base denom and path (`transfer/channel-0/…`), from the chain's denom traces. */
  ibcDenom(denom: string): Promise<{ base: string; path: string }>;
}

/** A snapshot at `height` (default: the latest height the application has committed). */
export async function snapshot(chain: Chain, height?: number): Promise<Snapshot> {
  const h = height ?? (await chain.rpc.appHeight());
  const query = (path: string, request: Uint8Array) => chain.rpc.abciQuery(path, request, h);
  return {
    height: h,
    async queryContractSmart(address: string, msg: unknown) {
      const req = QuerySmartContractStateRequest.encode({ address, queryData: toUtf8(JSON.stringify(msg)) }).finish();
      const res = QuerySmartContractStateResponse.decode(await query("/cosmwasm.wasm.v1.Query/SmartContractState", req));
      return JSON.parse(fromUtf8(res.data));
    },
    async balance(address: string, denom: string) {
      const req = QueryBalanceRequest.encode({ address, denom }).finish();
      const res = QueryBalanceResponse.decode(await query("/cosmos.bank.v1beta1.Query/Balance", req));
      return BigInt(res.balance?.amount ?? "0");
    },
    async ibcDenom(denom: string) {
      if (!denom.startsWith("ibc/")) throw new Error(`${denom} is not an ibc/ denom`);
      const req = QueryDenomRequest.encode({ hash: denom.slice(4) }).finish();
      return denomTrace(denom, await query(DENOM_QUERY, req));
    },
  };
}

/** ibc-go's query of an `ibc/<hash>` denom's trace (ibc-go v10, wasmd 0.61). */
export const DENOM_QUERY = "/ibc.applications.transfer.v1.Query/Denom";

/**
 * A `QueryDenomResponse` (the bytes the node answers DENOM_QUERY with) as the voucher's
 * base denom and its path, hops joined nearest first: `transfer/channel-0`, or
 * `transfer/channel-1/transfer/channel-0` for a voucher that came through two chains.
 */
export function denomTrace(denom: string, value: Uint8Array): { base: string; path: string } {
  const res = QueryDenomResponse.decode(value);
  if (!res.denom) throw new Error(`no denom trace for ${denom}`);
  const path = res.denom.trace.map((h) => `${h.portId}/${h.channelId}`).join("/");
  return { base: res.denom.base, path };
}
