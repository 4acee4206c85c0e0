// The dashboard's own arithmetic: display units, percentages as `attrib stats` prints
// them, the registry's rounding of rates, and the watch list's series.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pct, units } from "../src/format.ts";
import { bps, lastVsTrend, watchList } from "../src/metrics.ts";
import { parsePrometheus } from "../src/prometheus.ts";

test("amounts in display units: exact, no float rounding, thousands grouped", () => {
  assert.equal(units("0", 6), "0");
  assert.equal(units("1", 6), "0.000001");
  assert.equal(units("1234500", 6), "1.2345");
  assert.equal(units("250000", 6), "0.25");
  assert.equal(units("100000000000000", 6), "100,000,000");
  // Beyond 2^53: a float would have lost the last digits.
  assert.equal(units("123456789012345678901", 6), "123,456,789,012,345.678901");
  assert.equal(units(-1500000n, 6), "-1.5");
  assert.equal(units("42", 0), "42");
});

test("percentages print as the CLI prints basis points", () => {
  assert.equal(pct(0), "0.00%");
  assert.equal(pct(5), "0.05%");
  assert.equal(pct(1234), "12.34%");
  assert.equal(pct(10_000), "100.00%");
});

test("rates round down like the registry's bps, and 0 of 0 is 0", () => {
  assert.equal(bps(1, 3), 3333);
  assert.equal(bps(2, 3), 6666);
  assert.equal(bps(0, 0), 0);
  assert.equal(bps(5, 5), 10_000);
});

test("the watch list's series follow the metrics response, epoch by epoch", () => {
  const epoch = (n: number, over: object) => ({
    epoch: n, settled: true, fee_value: "0", emission: "0", emission_share_bps: 0, fees: [], inflows: 1,
    buyers: 0, returning_buyers: 0, curator_points: 0, ...over,
  });
  const m = {
    epochs: [
      epoch(3, { fee_value: "2000000", emission: "1000000", emission_share_bps: 3333, buyers: 2,
        quality: { accepted: 2, rejected: 1, revoked: 0, dedup_hits: 1, licenses_sold: 1, tranches: 4 } }),
      epoch(5, { fee_value: "1000000", emission: "3000000", emission_share_bps: 7500, buyers: 4, returning_buyers: 1,
        concentration: { hhi_bps: 5000, nakamoto_one_half: 1, nakamoto_one_third: 1, stakers: 2, top_k: 3, top_k_share_bps: 10_000, total_stake: "10" },
        quality: { accepted: 2, rejected: 1, revoked: 1, dedup_hits: 1, licenses_sold: 1, tranches: 4 } }),
    ],
    fee_value: "3000000", emission: "4000000", emission_share_bps: 5714, buyers: { distinct: 5, repeat: 1 }, paid: [],
  };
  const groups = Object.fromEntries(watchList(m as never).map((g) => [g.id, g]));
  const s = (g: string, key: string) => groups[g].series.find((x) => x.key === key)!.values;
  assert.deepEqual(s("funding", "fee_value"), [2, 1]);
  assert.deepEqual(s("funding", "emission"), [1, 3]);
  assert.deepEqual(s("funding", "emission_share_bps"), [33.33, 75]);
  // No concentration snapshot in epoch 3: a gap, not a zero.
  assert.deepEqual(s("concentration", "hhi_bps"), [null, 50]);
  assert.deepEqual(s("quality", "rejection_rate"), [33.33, 25]);
  assert.deepEqual(s("buyers", "returning_buyers"), [0, 1]);
  assert.deepEqual(lastVsTrend(groups.buyers.series[0]), { last: 4, mean: 2 });
  assert.deepEqual(lastVsTrend({ key: "x", label: "x", unit: "count", values: [null, null] }), { last: null, mean: null });
});

test("the services' Prometheus text: samples with labels, help lines skipped", () => {
  const text = [
    "# HELP attrib_meter_receipts_total Receipts acknowledged",
    "# TYPE attrib_meter_receipts_total counter",
    "attrib_meter_receipts_total 100000",
    'attrib_meter_ack_latency_seconds_bucket{le="0.005"} 99000',
    'attrib_auditor_won{kind="omitted"} 1',
    "garbage line",
    "",
  ].join("\n");
  assert.deepEqual(parsePrometheus(text), [
    { name: "attrib_meter_receipts_total", labels: "", value: 100000 },
    { name: "attrib_meter_ack_latency_seconds_bucket", labels: '{le="0.005"}', value: 99000 },
    { name: "attrib_auditor_won", labels: '{kind="omitted"}', value: 1 },
  ]);
});
