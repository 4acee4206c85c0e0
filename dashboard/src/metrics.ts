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

/** The last epoch against the mean of the epochs before it in the range. */
export function lastVsTrend(s: Series): { last: number | null; mean: number | null } {
  const vals = s.values.filter((v): v is number => v !== null);
  if (vals.length === 0) return { last: null, mean: null };
  const last = vals[vals.length - 1];
  const before = vals.slice(0, -1);
  return { last, mean: before.length ? before.reduce((a, b) => a + b, 0) / before.length : null };
}
