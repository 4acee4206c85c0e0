// The dashboard's own arithmetic: display units, percentages as `attrib stats` prints
// them, the registry's rounding of rates, and the watch list's series.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { denomTrace, type Snapshot } from "@attrib/ts";
import { amount, pct, units } from "../src/format.ts";
import { bps, lastVsTrend, latestRange, MAX_RANGE, watchList, type Range } from "../src/metrics.ts";
import { parsePrometheus, serviceRows } from "../src/prometheus.ts";

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

test("the meter's /metrics on the services panel: every attrib_ sample, +Inf kept, the histogram as its mean", () => {
  // Captured from a running attrib-meter (packages/attrib-meter/src/metrics.rs) after 250
  // usage events in one batch request, before its first batch: counters, batches by
  // state, escrow cover (+Inf: nothing reserved yet), the ack latency histogram.
  const text = readFileSync(new URL("./fixtures/meter-metrics.prom", import.meta.url), "utf8");
  const samples = parsePrometheus(text);
  assert.equal(samples.length, 5 + 5 + 1 + 11 + 2);
  assert.deepEqual(samples.find((x) => x.name === "attrib_meter_escrow_batches"), { name: "attrib_meter_escrow_batches", labels: '{model_id="1"}', value: Infinity });
  assert.deepEqual(serviceRows(text), [
    ["attrib_meter_receipts_total", "", "250"],
    ["attrib_meter_pending_receipts", "", "250"],
    ["attrib_meter_receipts_issued_total", "", "250"],
    ["attrib_meter_chain_errors_total", "", "0"],
    ["attrib_meter_batches_refused_total", "", "0"],
    ["attrib_meter_batches", '{state="built"}', "0"],
    ["attrib_meter_batches", '{state="posted"}', "0"],
    ["attrib_meter_batches", '{state="final"}', "0"],
    ["attrib_meter_batches", '{state="voided"}', "0"],
    ["attrib_meter_batches", '{state="refused"}', "0"],
    ["attrib_meter_escrow_batches", '{model_id="1"}', "∞"],
    ["attrib_meter_ack_latency_seconds (mean)", "", "0.046046"],
    ["attrib_meter_ack_latency_seconds_count", "", "1"],
  ]);
  // A finite cover and a histogram with more observations, as the meter writes them.
  assert.deepEqual(
    serviceRows('attrib_meter_escrow_batches{model_id="2"} 39.5\nattrib_meter_ack_latency_seconds_sum 100.42\nattrib_meter_ack_latency_seconds_count 50210\n'),
    [
      ["attrib_meter_escrow_batches", '{model_id="2"}', "39.5"],
      ["attrib_meter_ack_latency_seconds (mean)", "", "0.002"],
      ["attrib_meter_ack_latency_seconds_count", "", "50210"],
    ],
  );
  // Not a metrics text (an HTML error page through a proxy): no rows, not garbage.
  assert.deepEqual(serviceRows("<html><body>502 Bad Gateway</body></html>"), []);
});

/** A distributor whose epochs with inflows are `have`: answers `metrics` as the contract does. */
function fakeMetrics(have: number[]) {
  const calls: Range[] = [];
  let read = 0;
  const query = async ({ from, to }: Range) => {
    calls.push({ from, to });
    read += have.filter((e) => e >= from && e <= to).length;
    assert.ok(from <= to && to - from < MAX_RANGE, `the contract refuses ${from}..${to}`);
    const epochs = have.filter((e) => e >= from && e <= to).map((epoch) => ({ epoch }));
    return { epochs, fee_value: "0", emission: "0", emission_share_bps: 0, buyers: { distinct: 0, repeat: 0 }, paid: [] } as never;
  };
  /** Epochs answered, over all calls (what the page downloads grows with). */
  const epochsRead = () => read;
  return { query, calls, epochsRead };
}

test("the overview's range: ends at the latest epoch with inflows; one query on a live chain; a quiet spell searched without reading unshown full ranges", async () => {
  const history = [...Array(1000).keys()];
  const bytes = (f: ReturnType<typeof fakeMetrics>) => f.epochsRead();
  // Live: the range ending at the current epoch holds it: that one query.
  let f = fakeMetrics(history);
  let r = await latestRange(f.query, 999, MAX_RANGE, 999);
  assert.deepEqual([r.from, r.to, r.m.epochs.length, f.calls.length], [900, 999, 100, 1]);
  // The current epoch quiet so far: the range ending at the latest epoch with inflows.
  f = fakeMetrics(history);
  r = await latestRange(f.query, 1040, MAX_RANGE, 1000);
  assert.deepEqual([r.from, r.to, r.m.epochs.length, f.calls.length], [900, 999, 100, 2]);
  // A 1 000-epoch history restarted 5 000 epochs later, all of it closed (nextClose 1000):
  // the open epochs are read 4 ranges at a time (all quiet), the latest closed range at
  // once, and it is the answer: no full range read that is not shown.
  f = fakeMetrics(history);
  r = await latestRange(f.query, 5999, MAX_RANGE, 1000);
  assert.deepEqual([r.from, r.to, r.m.epochs.length], [900, 999, 100]);
  assert.equal(f.calls.length, 1 + 1 + 49);
  assert.equal(bytes(f), 100);
  // Epochs paid into but never closed (no crank since): found among the open ones.
  f = fakeMetrics([...history, 2500]);
  r = await latestRange(f.query, 5999, MAX_RANGE, 1000);
  assert.deepEqual([r.from, r.to, r.m.epochs.map((e) => e.epoch)], [2401, 2500, [2500]]);
  // A crank skipped quiet epochs past the latest with inflows (nextClose 5000): down from there.
  f = fakeMetrics(history);
  r = await latestRange(f.query, 5999, MAX_RANGE, 5000);
  assert.deepEqual([r.from, r.to, r.m.epochs.length], [900, 999, 100]);
  // Without the hint (nextClose unknown): down from the first range.
  f = fakeMetrics(history);
  r = await latestRange(f.query, 5999, MAX_RANGE);
  assert.deepEqual([r.from, r.to, r.m.epochs.length], [900, 999, 100]);
  // Near genesis: fewer epochs, never a negative bound; nothing at all: the first range.
  f = fakeMetrics([3, 5]);
  r = await latestRange(f.query, 7, MAX_RANGE, 0);
  assert.deepEqual([r.from, r.to, r.m.epochs.map((e) => e.epoch), f.calls.length], [0, 5, [3, 5], 1]);
  f = fakeMetrics([]);
  r = await latestRange(f.query, 450, 30, 0);
  assert.deepEqual([r.from, r.to, r.m.epochs.length], [421, 450, 0]);
  assert.ok(f.calls.every((c) => c.from >= 0));
  // A smaller window (the epochs page: 30) ends at the latest epoch with inflows too.
  f = fakeMetrics([10, 20, 250]);
  r = await latestRange(f.query, 1000, 30, 251);
  assert.deepEqual([r.from, r.to, r.m.epochs.map((e) => e.epoch)], [221, 250, [250]]);
});

/** A snapshot that answers the denom-trace query with these bytes (the node's `value`, base64). */
function traceSnapshot(valueBase64: string): Snapshot {
  return { ibcDenom: async (denom: string) => denomTrace(denom, Buffer.from(valueBase64, "base64")) } as unknown as Snapshot;
}

test("ibc/ vouchers show by base denom and path, from ibc-go's denom query response", async () => {
  // QueryDenomResponse{denom: {base: "ubuy", trace: [{transfer, channel-0}]}}: the voucher
  // of buyer chain's ubuy that the §10 story's cross-chain purchase pays in.
  const one = "Ch0KBHVidXkaFQoIdHJhbnNmZXISCWNoYW5uZWwtMA==";
  const voucher = "ibc/CD13B5C20FD1EE44F86BABEEAA390CB77E98EFAF597330B6BE8847B7BC33289F";
  assert.equal(await amount(traceSnapshot(one), "250000", voucher), "0.25 BUY (transfer/channel-0)");
  // Two hops, nearest first.
  const two = "CjUKBXVhdG9tGhUKCHRyYW5zZmVyEgljaGFubmVsLTEaFQoIdHJhbnNmZXISCWNoYW5uZWwtMA==";
  const atom = "ibc/FA0006F056DB6719B8C16C551FC392B62F5729978FC0B125AC9A432DBB2AA1A5";
  assert.equal(await amount(traceSnapshot(two), "1000000", atom), "1 ATOM (transfer/channel-1/transfer/channel-0)");
  // A hash the chain has no trace of: a typed error naming it, not a made-up name.
  await assert.rejects(amount(traceSnapshot(""), "1", "ibc/00"), /no denom trace for ibc\/00/);
  // Native denoms are not looked up.
  assert.equal(await amount(traceSnapshot("!"), "1500000", "uatr"), "1.5 ATR");
});
