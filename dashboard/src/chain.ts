// The one place the dashboard talks to the chain: the config (which node, which chain,
// which deployment), the connection, and snapshots — every panel reads through the
// generated clients at one height and is stamped with it.
import {
  connectChain,
  parseDeployments,
  queryClients,
  snapshot,
  WrongChainError,
  type Chain,
  type Deployments,
  type QueryClients,
  type Snapshot,
} from "@attrib/ts";

export interface Config {
  node: string;
  chain_id: string;
  deployments: Deployments;
  /** The SPEC §11 services the server proxies (meter, auditor). */
  services: string[];
}

export interface Conn extends Config {
  chain: Chain;
}

/** What a page reads with: the clients at one height. */
export interface Read {
  snap: Snapshot;
  q: QueryClients;
  conn: Conn;
}

/** The chain cannot be used: the banner says why. */
export class ChainUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ChainUnavailable";
  }
}

/** The served config; `?node=` and `?chain_id=` in the page's address override it. */
async function loadConfig(): Promise<Config> {
  const res = await fetch("/attrib-config.json");
  const body = await res.json();
  if (!res.ok) throw new ChainUnavailable(body.error ?? `config: HTTP ${res.status}`);
  const params = new URLSearchParams(location.search);
  return {
    node: params.get("node") ?? body.node,
    chain_id: params.get("chain_id") ?? body.chain_id,
    deployments: parseDeployments(body.deployments),
    services: body.services ?? [],
  };
}

let conn: Promise<Conn> | undefined;

/** The connection, made once; a refused one is retried on the next call. */
export function connection(): Promise<Conn> {
  conn ??= (async () => {
    const config = await loadConfig();
    let chain: Chain;
    try {
      chain = await connectChain(config.node, config.chain_id);
    } catch (e) {
      if (e instanceof WrongChainError) {
        throw new ChainUnavailable(`wrong chain: the node at ${config.node} serves ${e.actual}, expected ${e.expected}`);
      }
      throw new ChainUnavailable(`the chain is down: no answer from ${config.node} (${(e as Error).message})`);
    }
    if (config.deployments.chain_id !== config.chain_id) {
      throw new ChainUnavailable(`wrong deployments: they are of chain ${config.deployments.chain_id}, the node serves ${config.chain_id}`);
    }
    return { ...config, chain };
  })();
  conn.catch(() => (conn = undefined));
  return conn;
}

/** A read at the latest height. */
export async function read(): Promise<Read> {
  const c = await connection();
  let snap: Snapshot;
  try {
    snap = await snapshot(c.chain);
  } catch (e) {
    throw new ChainUnavailable(`the chain is down: ${(e as Error).message}`);
  }
  return { snap, q: queryClients(snap, c.deployments), conn: c };
}

/** A contract error meaning "no such object" (the contracts' typed NotFound errors). */
export function isNotFound(e: unknown): boolean {
  return /not found/i.test((e as Error)?.message ?? "");
}
