// Datasets → versions → tranches and contributors with their payouts.
import { isNotFound, type Read } from "../chain";
import { amount, esc, shortAddr, time } from "../format";
import { facts, link, panel, table, type Page } from "../ui";
import { notFound } from "./notfound";

export async function datasets(r: Read): Promise<Page> {
  const all = [];
  let startAfter: number | undefined;
  for (;;) {
    const { datasets } = await r.q.registry.datasets({ limit: 30, startAfter });
    all.push(...datasets);
    if (datasets.length < 30) break;
    startAfter = datasets[datasets.length - 1].id;
  }
  const rows = all.map((d) => [
    link(`#/dataset/${d.id}`, d.id),
    link(`#/dataset/${d.id}`, d.name),
    esc(d.tier),
    esc(d.status),
    d.latest_version ? link(`#/dataset/${d.id}/version/${d.latest_version}`, `v${d.latest_version}`) : "–",
    String(d.counters.accepted),
    esc(shortAddr(d.maintainer)),
  ]);
  return {
    title: "Datasets",
    html: panel("datasets", "Datasets", r.snap.height, table(["id", "name", "tier", "status", "latest version", "accepted tranches", "maintainer"], rows, "datasets")),
  };
}

export async function dataset(r: Read, id: number): Promise<Page> {
  let d;
  try {
    ({ dataset: d } = await r.q.registry.dataset({ datasetId: id }));
  } catch (e) {
    if (isNotFound(e)) return notFound(`dataset ${id}`, r.snap.height);
    throw e;
  }
  const [{ versions }, { tranches }] = await Promise.all([
    r.q.registry.versions({ datasetId: id, limit: 30 }),
    r.q.registry.tranches({ filter: { dataset_id: id }, limit: 30 }),
  ]);
  const price = await Promise.all(d.terms.price.map((c) => amount(r.snap, c.amount, c.denom)));
  const royalty = await Promise.all(d.terms.royalty_per_unit.map((c) => amount(r.snap, c.amount, c.denom)));
  const h = r.snap.height;
  return {
    title: `Dataset ${d.id}`,
    html:
      panel(
        "dataset",
        `Dataset ${d.id}: ${d.name}`,
        h,
        facts([
          ["maintainer", esc(d.maintainer)],
          ["tier", esc(d.tier)],
          ["status", esc(d.status)],
          ["schema", String(d.schema_id)],
          ["license", esc("spdx" in d.terms.license ? d.terms.license.spdx : `terms ${d.terms.license.terms_hash}`)],
          ["price", esc(price.join(", ") || "free")],
          ["royalty per unit", esc(royalty.join(", ") || "none")],
          ["bond held", d.bond_held ? esc(await amount(r.snap, d.bond_held.amount, d.bond_held.denom)) : "–"],
          ["created", time(d.created_at)],
          ["tranches accepted / rejected / revoked / duplicates refused", `${d.counters.accepted} / ${d.counters.rejected} / ${d.counters.revoked} / ${d.counters.duplicates_refused}`],
        ]),
      ) +
      panel(
        "versions",
        "Versions",
        h,
        table(
          ["version", "sealed", "tranches", "contributors", "total weight"],
          versions.map((v) => [link(`#/dataset/${id}/version/${v.version}`, `v${v.version}`), time(v.sealed_at), String(v.tranche_ids.length), String(v.contributor_count), esc(v.total_weight)]),
          "versions",
        ),
      ) +
      panel(
        "tranches",
        "Tranches",
        h,
        table(
          ["id", "contributor", "status", "records", "accepted records", "bytes"],
          tranches.map((t) => [String(t.id), esc(shortAddr(t.contributor)), esc(t.status), String(t.record_count), String(t.accepted_records), String(t.byte_size)]),
          "tranches",
        ),
      ),
  };
}

/** A sealed version: its tranches and each contributor position's payouts. */
export async function version(r: Read, id: number, v: number): Promise<Page> {
  let ver;
  try {
    ver = await r.q.registry.version({ datasetId: id, version: v });
  } catch (e) {
    if (isNotFound(e)) return notFound(`version ${v} of dataset ${id}`, r.snap.height);
    throw e;
  }
  const positions = await Promise.all(
    ver.version.tranche_ids.map(async (trancheId) => {
      const p = await r.q.rewardDistributor.position({ datasetId: id, trancheId, version: v });
      const fmt = (list: typeof p.claimable) => Promise.all(list.map((a) => amount(r.snap, a.amount, a.denom))).then((s) => s.join(", ") || "0");
      return [String(trancheId), esc(shortAddr(p.contributor)), esc(p.weight), p.revoked ? "revoked" : "", esc(await fmt(p.claimable)), esc(await fmt(p.unvested))];
    }),
  );
  return {
    title: `Dataset ${id} v${v}`,
    html:
      panel(
        "version",
        `Dataset ${id}, version ${v}`,
        r.snap.height,
        facts([
          ["dataset", link(`#/dataset/${id}`, `dataset ${id}`)],
          ["sealed", time(ver.version.sealed_at)],
          ["root", esc(ver.version.root)],
          ["total weight", esc(ver.version.total_weight)],
          ["parent version", ver.version.parent ? link(`#/dataset/${id}/version/${ver.version.parent}`, `v${ver.version.parent}`) : "–"],
        ]),
      ) +
      panel(
        "positions",
        "Contributors and their payouts",
        r.snap.height,
        table(["tranche", "contributor", "weight", "", "claimable", "vesting"], positions, "positions"),
      ),
  };
}
