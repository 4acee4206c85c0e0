// The watch list (SPEC §8): each question as a trend over epochs, the last epoch against
// its trend, and the figures of `attrib stats -o json` for the same range.
import type { Read } from "../chain";
import { chart } from "../charts";
import { amount, esc, pct, units } from "../format";
import { lastVsTrend, latestRange, MAX_RANGE, rangeEnding, watchList, type MetricsQuery } from "../metrics";
import { figure, panel, table, type Page } from "../ui";
import { notFound } from "./notfound";

function num(v: number | null, unit: string): string {
  if (v === null) return "–";
  const s = Number.isInteger(v) ? String(v) : v.toFixed(2);
  return unit === "%" ? `${s}%` : unit === "ATR" ? `${s} ATR` : s;
}

/** `?from=&to=` of the address (either may be left out), at most MAX_RANGE epochs ending at `to`. */
async function askedRange(query: MetricsQuery, params: URLSearchParams, current: number) {
  const to = Number(params.get("to") ?? current);
  const { from } = rangeEnding(to, MAX_RANGE);
  const range = { from: Math.min(to, Math.max(from, Number(params.get("from") ?? from))), to };
  return { ...range, m: await query(range) };
}

export async function overview(r: Read, params: URLSearchParams): Promise<Page> {
  const bad = ["from", "to"].find((k) => params.has(k) && !/^\d{1,15}$/.test(params.get(k)!));
  if (bad) return notFound(`epoch ${params.get(bad)}`, r.snap.height);
  const { current_epoch, next_close } = await r.q.rewardDistributor.config();
  // The trend: the last MAX_RANGE epochs up to the latest with inflows (one query on a
  // live chain), or the range the address asks for, cut to what one query answers.
  const query: MetricsQuery = (range) => r.q.rewardDistributor.metrics(range);
  const asked = params.get("to") !== null || params.get("from") !== null;
  const { from, to, m } = asked ? await askedRange(query, params, current_epoch) : await latestRange(query, current_epoch, MAX_RANGE, next_close);
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
      ${from > 0 ? `<a href="#/?to=${from - 1}">earlier</a>` : ""} <a href="#/">latest</a></p>
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
