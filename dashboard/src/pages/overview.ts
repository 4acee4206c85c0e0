// The watch list (SPEC §8): each question as a trend over epochs, the last epoch against
// its trend, and the figures of `attrib stats -o json` for the same range.
import type { Read } from "../chain";
import { chart } from "../charts";
import { amount, esc, pct, units } from "../format";
import { lastVsTrend, watchList } from "../metrics";
import { figure, panel, table, type Page } from "../ui";

function num(v: number | null, unit: string): string {
  if (v === null) return "–";
  const s = Number.isInteger(v) ? String(v) : v.toFixed(2);
  return unit === "%" ? `${s}%` : unit === "ATR" ? `${s} ATR` : s;
}

export async function overview(r: Read, params: URLSearchParams): Promise<Page> {
  const { current_epoch } = await r.q.rewardDistributor.config();
  // The CLI's default range: the current epoch and the nine before it.
  const to = Number(params.get("to") ?? current_epoch);
  const from = Number(params.get("from") ?? Math.max(0, to - 9));
  const m = await r.q.rewardDistributor.metrics({ from, to });
  const epochs = m.epochs.map((e) => e.epoch);
  const groups = watchList(m);
  const h = r.snap.height;

  const trendRows = groups.flatMap((g) =>
    g.series.map((s) => {
      const { last, mean } = lastVsTrend(s);
      const arrow = last === null || mean === null ? "" : last > mean ? "▲" : last < mean ? "▼" : "=";
      return [esc(g.title), esc(s.label), num(last, s.unit), num(mean === null ? null : Number(mean.toFixed(2)), s.unit), arrow];
    }),
  );

  const fields = ["epoch", "settled", "fee_value", "emission", "emission_share_bps", "inflows", "buyers", "returning_buyers", "curator_points"] as const;
  const figureRows = m.epochs.map((e, i) => [
    ...fields.map((f) =>
      f === "fee_value" || f === "emission"
        ? figure(`epochs.${i}.${f}`, e[f], units(e[f], 6))
        : f === "emission_share_bps"
          ? figure(`epochs.${i}.${f}`, e[f], pct(e[f]))
          : figure(`epochs.${i}.${f}`, String(e[f])),
    ),
    e.concentration
      ? `${figure(`epochs.${i}.concentration.nakamoto_one_third`, e.concentration.nakamoto_one_third)}/${figure(`epochs.${i}.concentration.nakamoto_one_half`, e.concentration.nakamoto_one_half)} · ${figure(`epochs.${i}.concentration.hhi_bps`, e.concentration.hhi_bps, pct(e.concentration.hhi_bps))} · ${figure(`epochs.${i}.concentration.top_k_share_bps`, e.concentration.top_k_share_bps, pct(e.concentration.top_k_share_bps))}`
      : "–",
    e.disputes
      ? `${figure(`epochs.${i}.disputes.opened`, e.disputes.opened)}/${figure(`epochs.${i}.disputes.upheld`, e.disputes.upheld)}/${figure(`epochs.${i}.disputes.changed_outcome`, e.disputes.changed_outcome)}`
      : "–",
    e.quality
      ? `${figure(`epochs.${i}.quality.accepted`, e.quality.accepted)}/${figure(`epochs.${i}.quality.rejected`, e.quality.rejected)}/${figure(`epochs.${i}.quality.revoked`, e.quality.revoked)}/${figure(`epochs.${i}.quality.dedup_hits`, e.quality.dedup_hits)}`
      : "–",
  ]);
  const paid = await Promise.all(m.paid.map(async (p) => `${await amount(r.snap, p.amount, p.denom)} (${p.funding}-funded)`));

  const html = `
    <p class="range">Epochs ${figure("from", from)} to ${figure("to", to)} (current epoch ${current_epoch}); epochs without inflows are not listed.
      <a href="#/?from=${Math.max(0, from - 10)}&to=${to}">earlier</a></p>
    ${panel("trend", "Last epoch against its trend", h, table(["question", "figure", "last epoch", "mean of the epochs before", ""], trendRows, "trend"))}
    <div class="grid">
      ${groups.map((g) => panel(g.id, g.title, h, `<p class="note">${esc(g.note)}</p><div class="chart" data-chart="${g.id}"></div>`)).join("")}
    </div>
    ${panel(
      "totals",
      "Over the range",
      h,
      `<p>Fee value ${figure("fee_value", m.fee_value, units(m.fee_value, 6) + " ATR")}, emission ${figure("emission", m.emission, units(m.emission, 6) + " ATR")}:
        emission share ${figure("emission_share_bps", m.emission_share_bps, pct(m.emission_share_bps))} (fee-funded ${pct(10_000 - m.emission_share_bps)}).
        Buyers since genesis: ${figure("buyers.distinct", m.buyers.distinct)} distinct, ${figure("buyers.repeat", m.buyers.repeat)} paid in two or more epochs.</p>
       <p>Paid out so far: ${paid.length ? paid.map(esc).join("; ") : "nothing yet"}</p>`,
    )}
    ${panel(
      "figures",
      "Per epoch (as attrib stats)",
      h,
      table(["epoch", "settled", "fee value (ATR)", "emission (ATR)", "emis%", "inflows", "buyers", "return", "points", "nak⅓/½ · HHI · top-k", "disputes", "acc/rej/rev/dup"], figureRows, "figures"),
    )}`;
  return {
    title: "Watch list",
    html,
    mount: (root) => {
      for (const g of groups) {
        const el = root.querySelector<HTMLElement>(`[data-chart="${g.id}"]`);
        if (el && epochs.length) chart(el, epochs, g);
        else if (el) el.innerHTML = `<p class="empty">no epoch with inflows in this range</p>`;
      }
    },
  };
}
