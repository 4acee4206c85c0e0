// uPlot line charts of a watch-list group over epochs; percentages on their own axis.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Group } from "./metrics";

const COLORS = ["#2f6fd0", "#d07a2f", "#2a9d5b", "#b23a48", "#7b52ab", "#4a8f99", "#8c6d1f", "#555"];

export function chart(el: HTMLElement, epochs: number[], g: Group): uPlot {
  const pctIdx = g.series.findIndex((s) => s.unit === "%");
  const hasPct = pctIdx >= 0;
  // Stacked: the second series is drawn on top of the first (cumulative values).
  const data: (number | null)[][] = g.series.map((s, i) =>
    g.stacked && i === 1 ? s.values.map((v, j) => (v === null ? null : v + (g.series[0].values[j] ?? 0))) : s.values,
  );
  const opts: uPlot.Options = {
    width: Math.max(320, el.clientWidth || 560),
    height: 220,
    // One epoch alone would otherwise be drawn on a 0–100 axis.
    scales: { x: { time: false, range: (_u, min, max) => (min === max ? [min - 1, max + 1] : [min, max]) }, "%": { range: [0, 100] } },
    axes: [
      { label: "epoch", values: (_u, ticks) => ticks.map((t) => (Number.isInteger(t) ? String(t) : "")) },
      { label: g.series.find((s) => s.unit !== "%")?.unit === "ATR" ? "ATR" : "count" },
      ...(hasPct ? [{ scale: "%", side: 1 as const, label: "%", grid: { show: false } }] : []),
    ],
    series: [
      { label: "epoch" },
      ...g.series.map((s, i) => ({
        label: g.stacked && i === 1 ? `${s.label} (stacked)` : s.label,
        scale: s.unit === "%" ? "%" : "y",
        stroke: COLORS[i % COLORS.length],
        width: 2,
        fill: g.stacked && i < 2 ? COLORS[i] + "55" : undefined,
        points: { show: epochs.length < 40 },
        spanGaps: true,
      })),
    ],
  };
  return new uPlot(opts, [epochs, ...data] as uPlot.AlignedData, el);
}
