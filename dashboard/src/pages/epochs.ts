// Epochs and their settlement; disputes.
import { isNotFound, type Read } from "../chain";
import { amount, denomInfo, esc, pct, time, units } from "../format";
import { latestRange } from "../metrics";
import { facts, link, panel, table, type Page } from "../ui";
import { notFound } from "./notfound";

export async function epochs(r: Read): Promise<Page> {
  const { current_epoch, next_close, settling } = await r.q.rewardDistributor.config();
  // The last 30 epochs up to the latest with inflows (epochs without are not listed).
  const { m } = await latestRange((range) => r.q.rewardDistributor.metrics(range), current_epoch, 30, next_close);
  const rows = m.epochs
    .slice()
    .reverse()
    .map((e) => [link(`#/epoch/${e.epoch}`, e.epoch), e.settled ? "settled" : "open", units(e.fee_value, 6), units(e.emission, 6), pct(e.emission_share_bps), String(e.inflows), String(e.buyers)]);
  return {
    title: "Epochs",
    html: panel(
      "epochs",
      "Epochs",
      r.snap.height,
      facts([
        ["current epoch", String(current_epoch)],
        ["oldest epoch not closed", String(next_close)],
        ["settling", settling == null ? "none" : link(`#/epoch/${settling}`, settling)],
      ]) + table(["epoch", "status", "fee value (ATR)", "emission (ATR)", "emission share", "inflows", "buyers"], rows, "epochs"),
    ),
  };
}

export async function epoch(r: Read, n: number): Promise<Page> {
  let e;
  try {
    e = await r.q.rewardDistributor.epoch({ epoch: n });
  } catch (err) {
    if (isNotFound(err)) return notFound(`epoch ${n}`, r.snap.height);
    throw err;
  }
  const ep = e.epoch;
  const rows = await Promise.all(
    e.denoms.map(async ({ denom, row }) => {
      const a = (v: string) => amount(r.snap, v, denom);
      return [
        await denomInfo(r.snap, denom).then((d) => esc(d.path ? `${d.display} (${d.path})` : d.display)),
        esc(await a(row.fee_pool)),
        esc(await a(row.fee_datasets)),
        esc(await a(row.fee_curators)),
        esc(await a(row.fee_treasury)),
        esc(await a(row.emission_datasets)),
        esc(await a(row.emission_curators)),
        esc(await a(row.emission_treasury)),
      ];
    }),
  );
  return {
    title: `Epoch ${n}`,
    html:
      panel(
        "epoch",
        `Epoch ${n}`,
        r.snap.height,
        facts([
          ["closed", time(ep.closed_at)],
          ["settled", time(ep.settled_at)],
          ["fee value", `${units(ep.fee_value, 6)} ATR`],
          ["emission", `${units(ep.emission, 6)} ATR`],
          ["inflows", String(ep.inflows)],
          ["buyers (returning)", `${ep.buyers} (${ep.returning_buyers})`],
          ["curator points (claimed)", `${ep.curator_points} (${ep.curator_points_claimed})`],
          ["previous / next", `${n > 0 ? link(`#/epoch/${n - 1}`, n - 1) : "–"} / ${link(`#/epoch/${n + 1}`, n + 1)}`],
        ]),
      ) +
      panel("settlement", "Settlement by denom", r.snap.height, table(["denom", "fees in", "to datasets", "to curators", "to treasury", "emission to datasets", "to curators", "to treasury"], rows, "settlement")),
  };
}

export async function disputes(r: Read): Promise<Page> {
  const { current_epoch, next_close } = await r.q.rewardDistributor.config();
  const [{ m }, audits] = await Promise.all([
    latestRange((range) => r.q.rewardDistributor.metrics(range), current_epoch, 30, next_close),
    r.q.receiptOracle.auditStats(),
  ]);
  const rows = m.epochs
    .filter((e) => e.disputes)
    .map((e) => {
      const d = e.disputes!;
      return [link(`#/epoch/${e.epoch}`, e.epoch), String(d.opened), String(d.upheld), String(d.dismissed), String(d.changed_outcome), String(d.decided_by_admin), String(d.omission_opened ?? 0), String(d.omission_upheld ?? 0)];
    });
  return {
    title: "Disputes",
    html:
      panel(
        "audits",
        "Audits of metering (receipt oracle, now)",
        r.snap.height,
        facts([
          ["fraud proofs (each one upheld: a failed proof reverts)", String(audits.fraud_proofs)],
          ["inclusion requests filed / answered / upheld", `${audits.inclusion_requests} / ${audits.inclusion_answered} / ${audits.inclusion_upheld}`],
        ]),
      ) +
      panel(
        "disputes",
        "Disputes as each epoch closed (since genesis)",
        r.snap.height,
        table(["epoch", "opened", "upheld", "dismissed", "changed an outcome", "decided by admin", "omission claims", "omission upheld"], rows, "disputes"),
      ),
  };
}
