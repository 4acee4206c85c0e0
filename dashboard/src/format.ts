// Amounts and denoms for people: display units (the `u` prefix is 10^-6 of the display
// denom, the Cosmos convention our chains follow), `ibc/…` vouchers by their base denom
// and path from the chain's denom traces, cw20 tokens by their symbol and decimals. Every page formats through here.
import type { Snapshot } from "@attrib/ts";

const MICRO = 6;

export interface DenomInfo {
  /** e.g. ATR, or BUY for an ibc voucher of ubuy */
  display: string;
  exponent: number;
  /** The IBC path (`transfer/channel-0`) of a voucher, else undefined. */
  path?: string;
  base: string;
}

const cache = new Map<string, Promise<DenomInfo>>();

function local(base: string): DenomInfo {
  return base.startsWith("u") && base.length > 1
    ? { display: base.slice(1).toUpperCase(), exponent: MICRO, base }
    : { display: base, exponent: 0, base };
}

/** How to show a denom; `ibc/` denoms are resolved once per page load. */
export function denomInfo(snap: Snapshot, denom: string): Promise<DenomInfo> {
  let p = cache.get(denom);
  if (!p) {
    p = denom.startsWith("ibc/")
      ? snap.ibcDenom(denom).then(({ base, path }) => ({ ...local(base), path }))
      : denom.startsWith("cw20:")
        ? // A cw20 token (the protocol token's emission): its own symbol and decimals.
          snap
            .queryContractSmart(denom.slice(5), { token_info: {} })
            .then((t: { symbol: string; decimals: number }) => ({ display: t.symbol, exponent: t.decimals, base: denom }))
        : Promise.resolve(local(denom));
    cache.set(denom, p);
    // A failed lookup (the node away a moment) is asked again next time.
    p.catch(() => cache.delete(denom));
  }
  return p;
}

/** An integer amount of base units in display units: 1234500 (exp 6) → "1.2345". */
export function units(amount: string | bigint, exponent: number): string {
  const a = BigInt(amount);
  const neg = a < 0n;
  const s = (neg ? -a : a).toString().padStart(exponent + 1, "0");
  const int = s.slice(0, s.length - exponent).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = exponent ? s.slice(s.length - exponent).replace(/0+$/, "") : "";
  return (neg ? "-" : "") + int + (frac ? "." + frac : "");
}

/** "1.2345 ATR", or "250 BUY (transfer/channel-0)" for a voucher. */
export async function amount(snap: Snapshot, amount: string | bigint, denom: string): Promise<string> {
  const d = await denomInfo(snap, denom);
  return `${units(amount, d.exponent)} ${d.display}${d.path ? ` (${d.path})` : ""}`;
}

/** Display units of the emission token (uatr) as a number, for charts. */
export function displayNumber(amount: string | bigint, exponent = MICRO): number {
  return Number(BigInt(amount)) / 10 ** exponent;
}

/** Basis points as a percentage: 1234 → "12.34%" (as `attrib stats` prints them). */
export function pct(bps: number): string {
  return `${Math.floor(bps / 100)}.${String(bps % 100).padStart(2, "0")}%`;
}

export function shortAddr(a: string): string {
  return a.length > 20 ? `${a.slice(0, 10)}…${a.slice(-6)}` : a;
}

export function time(secs: number | null | undefined): string {
  return secs ? new Date(secs * 1000).toISOString().replace(".000Z", "Z") : "–";
}

export function esc(s: string | number): string {
  return String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
