// The SPEC §8 watch list as series over epochs, from the reward distributor's `metrics`
// query — the very response `attrib stats -o json` prints (packages/attrib-cli/src/
// rewards.rs). Counters marked "since genesis" are the contracts' running totals as each
// epoch closed, as the CLI shows them; the rates are derived here the way the registry
// derives its own (contracts/registry/src/queries.rs, query_stats).
import type { RewardDistributor } from "@attrib/ts";
import { displayNumber } from "./format";

type MetricsResponse = RewardDistributor.MetricsResponse;
type EpochMetrics = RewardDistributor.EpochMetrics;

export type Unit = "ATR" | "%" | "count";

export interface Series {
  key: string;
  label: string;
  unit: Unit;
  values: (number | null)[];
}

export interface Group {
  id: string;
  title: string;
  note: string;
  series: Series[];
  /** Draw the first two series stacked (fee-funded under emission-funded). */
  stacked?: boolean;
}

/** part/whole in basis points, rounded down (the registry's `bps`). */
export function bps(part: number, whole: number): number {
  return whole === 0 ? 0 : Math.floor((part * 10_000) / whole);
}

function series(m: MetricsResponse, key: string, label: string, unit: Unit, f: (e: EpochMetrics) => number | null | undefined): Series {
  return { key, label, unit, values: m.epochs.map((e) => f(e) ?? null) };
}

export function watchList(m: MetricsResponse): Group[] {
  return [
    {
      id: "funding",
      title: "Fee- vs emission-funded payouts",
      note: "per epoch, in ATR; the line is the emission share",
      stacked: true,
      series: [
        series(m, "fee_value", "fee-funded", "ATR", (e) => displayNumber(e.fee_value)),
        series(m, "emission", "emission-funded", "ATR", (e) => displayNumber(e.emission)),
        series(m, "emission_share_bps", "emission share", "%", (e) => e.emission_share_bps / 100),
      ],
    },
    {
      id: "concentration",
      title: "Curator concentration",
      note: "stake as each epoch closed",
      series: [
        series(m, "nakamoto_one_third", "Nakamoto ⅓", "count", (e) => e.concentration?.nakamoto_one_third),
        series(m, "nakamoto_one_half", "Nakamoto ½", "count", (e) => e.concentration?.nakamoto_one_half),
        series(m, "hhi_bps", "HHI", "%", (e) => (e.concentration ? e.concentration.hhi_bps / 100 : null)),
        series(m, "top_k_share_bps", "top-k share", "%", (e) => (e.concentration ? e.concentration.top_k_share_bps / 100 : null)),
      ],
    },
    {
      id: "disputes",
      title: "Disputes and audits",
      note: "counts since genesis, as each epoch closed",
      series: [
        series(m, "disputes.opened", "disputes opened", "count", (e) => e.disputes?.opened),
        series(m, "disputes.upheld", "upheld", "count", (e) => e.disputes?.upheld),
        series(m, "disputes.changed_outcome", "changed an outcome", "count", (e) => e.disputes?.changed_outcome),
        series(m, "disputes.omission_opened", "omission claims", "count", (e) => e.disputes?.omission_opened ?? (e.disputes ? 0 : null)),
        series(m, "audits.fraud_proofs", "fraud proofs (upheld)", "count", (e) => e.audits?.fraud_proofs),
        series(m, "audits.inclusion_requests", "inclusion requests", "count", (e) => e.audits?.inclusion_requests),
        series(m, "audits.inclusion_upheld", "inclusion upheld", "count", (e) => e.audits?.inclusion_upheld),
      ],
    },
    {
      id: "quality",
      title: "Quality signals",
      note: "counts since genesis, as each epoch closed; rejection rate = rejected / decided",
      series: [
        series(m, "quality.dedup_hits", "dedup hits", "count", (e) => e.quality?.dedup_hits),
        series(m, "quality.revoked", "revocations", "count", (e) => e.quality?.revoked),
        series(m, "rejection_rate", "rejection rate", "%", (e) =>
          e.quality ? bps(e.quality.rejected, e.quality.accepted + e.quality.rejected + e.quality.revoked) / 100 : null,
        ),
      ],
    },
    {
      id: "buyers",
      title: "Buyers",
      note: "distinct buyers in the epoch, and those who had paid in an earlier epoch",
      series: [
        series(m, "buyers", "distinct buyers", "count", (e) => e.buyers),
        series(m, "returning_buyers", "returning buyers", "count", (e) => e.returning_buyers),
      ],
    },
  ];
}

/** The most epochs one `metrics` query covers (the distributor's MAX_METRICS_EPOCHS). */
export const MAX_RANGE = 100;

export interface Range {
  from: number;
  to: number;
}

export type MetricsQuery = (range: Range) => Promise<MetricsResponse>;

/** `size` epochs ending at `to` (fewer near genesis). */
export function rangeEnding(to: number, size: number): Range {
  return { from: Math.max(0, to - size + 1), to };
}

/**
 * The `size` epochs up to the latest epoch with inflows at or before `current`. On a
 * live chain the current epoch has inflows: one query. Otherwise the range ending at
 * `current` says which epoch was the latest (a second query reads the range ending there).
 * A chain quiet for longer (a history restarted later) is searched without reading an
 * epoch at a time, and without reading full ranges it does not show: first the epochs
 * nobody has closed yet (`nextClose` on; quiet ones cost a few bytes), MAX_RANGE at a
 * time, `parallel` ranges at once; then down from the latest closed epoch (`nextClose`
 * - 1, read together with the first of those), one range at a time. Only epochs with
 * inflows exist, so an empty answer means a quiet range.
 */
export async function latestRange(
  metrics: MetricsQuery,
  current: number,
  size: number,
  nextClose = current + 1,
  parallel = 4,
): Promise<Range & { m: MetricsResponse }> {
  const read = async (range: Range) => ({ range, m: await metrics(range) });
  const first = await read(rangeEnding(current, size));
  /** The range ending at the latest epoch of `found`; a read already made is reused. */
  const ending = async (found: { range: Range; m: MetricsResponse }) => {
    const range = rangeEnding(found.m.epochs[found.m.epochs.length - 1].epoch, size);
    // The same start: the same epochs (none after the latest), so the same answer.
    const done = [found, first].find((x) => x.range.from === range.from && x.range.to >= range.to);
    return { ...range, m: done ? done.m : await metrics(range) };
  };
  if (first.m.epochs.length > 0) return ending(first);
  // Down from the latest closed epoch (below the first range), the first read at once.
  let closedTo = Math.min(first.range.from, nextClose) - 1;
  const closed = closedTo >= 0 ? read(rangeEnding(closedTo, MAX_RANGE)) : undefined;
  closed?.catch(() => undefined); // awaited below, unless an open epoch answers first
  // Open epochs between the closed ones and the first range: ranges that stop at nextClose.
  for (let to = first.range.from - 1; to >= nextClose; ) {
    const ranges: Range[] = [];
    for (let t = to; t >= nextClose && ranges.length < parallel; t -= MAX_RANGE) ranges.push({ from: Math.max(nextClose, t - MAX_RANGE + 1), to: t });
    const found = (await Promise.all(ranges.map(read))).find((r) => r.m.epochs.length > 0);
    if (found) return ending(found);
    to = ranges[ranges.length - 1].from - 1;
  }
  if (closed) {
    const r = await closed;
    if (r.m.epochs.length > 0) return ending(r);
    // A crank skipped quiet epochs past the latest with inflows: further down, in parallel.
    for (closedTo -= MAX_RANGE; closedTo >= 0; ) {
      const tos: number[] = [];
      for (let t = closedTo; t >= 0 && tos.length < parallel; t -= MAX_RANGE) tos.push(t);
      const found = (await Promise.all(tos.map((t) => read(rangeEnding(t, MAX_RANGE))))).find((x) => x.m.epochs.length > 0);
      if (found) return ending(found);
      closedTo = tos[tos.length - 1] - MAX_RANGE;
    }
  }
  return { ...first.range, m: first.m };
}

/** The last epoch against the mean of the epochs before it in the range. */
export function lastVsTrend(s: Series): { last: number | null; mean: number | null } {
  const vals = s.values.filter((v): v is number => v !== null);
  if (vals.length === 0) return { last: null, mean: null };
  const last = vals[vals.length - 1];
  const before = vals.slice(0, -1);
  return { last, mean: before.length ? before.reduce((a, b) => a + b, 0) / before.length : null };
}
