// Models → lineage, escrow, batches and their proofs; operators.
import { isNotFound, type Read } from "../chain";
import { amount, esc, shortAddr, time } from "../format";
import { facts, link, panel, table, type Page } from "../ui";
import { notFound } from "./notfound";
import type { ReceiptOracle } from "@attrib/ts";

const MAX_MODELS = 200;

/** The oracle has no model list: ids are dense from 1, so read until the first missing one. */
async function allModels(r: Read): Promise<ReceiptOracle.Model[]> {
  const out: ReceiptOracle.Model[] = [];
  for (let id = 1; id <= MAX_MODELS; id++) {
    try {
      out.push(await r.q.receiptOracle.model({ modelId: id }));
    } catch (e) {
      if (isNotFound(e)) break;
      throw e;
    }
  }
  return out;
}

export async function models(r: Read): Promise<Page> {
  const list = await allModels(r);
  const rows = await Promise.all(
    list.map(async (m) => [
      link(`#/model/${m.id}`, m.id),
      esc(shortAddr(m.owner)),
      m.lineage.map((l) => link(`#/dataset/${l.dataset_id}/version/${l.version}`, `dataset ${l.dataset_id} v${l.version}`)).join(", "),
      esc(await amount(r.snap, m.escrow, m.royalty_per_unit.denom)),
      m.operators.map((o) => link(`#/operator/${o}`, shortAddr(o))).join(", "),
      m.closed ? "closed" : "open",
    ]),
  );
  return { title: "Models", html: panel("models", "Models", r.snap.height, table(["id", "owner", "lineage", "escrow", "operators", ""], rows, "models")) };
}

function batchStatus(s: ReceiptOracle.BatchStatus): string {
  return typeof s === "string" ? s : `voided (${s.voided.reason}) by ${shortAddr(s.voided.challenger)}`;
}

export async function model(r: Read, id: number): Promise<Page> {
  let m: ReceiptOracle.Model;
  try {
    m = await r.q.receiptOracle.model({ modelId: id });
  } catch (e) {
    if (isNotFound(e)) return notFound(`model ${id}`, r.snap.height);
    throw e;
  }
  const denom = m.royalty_per_unit.denom;
  const batches = (await Promise.all(m.operators.map((operator) => r.q.receiptOracle.batches({ modelId: id, operator, limit: 30 })))).flatMap((b) => b.batches);
  const h = r.snap.height;
  return {
    title: `Model ${id}`,
    html:
      panel(
        "model",
        `Model ${id}`,
        h,
        facts([
          ["owner", esc(m.owner)],
          ["metadata", esc(m.metadata_uri)],
          ["royalty per unit", esc(await amount(r.snap, m.royalty_per_unit.amount, denom))],
          ["escrow", esc(await amount(r.snap, m.escrow, denom))],
          ["reserved", esc(await amount(r.snap, m.reserved, denom))],
          ["operator bond", esc(await amount(r.snap, m.bond, denom))],
          ["debt", esc(await amount(r.snap, m.debt, denom))],
          ["created", time(m.created_at)],
          ["parent", m.parent ? link(`#/model/${m.parent.model_id}`, `model ${m.parent.model_id}`) : "–"],
          ["status", m.closed ? "closed" : "open"],
        ]),
      ) +
      panel(
        "lineage",
        "Lineage",
        h,
        table(
          ["dataset", "version", "weight"],
          m.lineage.map((l) => [link(`#/dataset/${l.dataset_id}`, l.dataset_id), link(`#/dataset/${l.dataset_id}/version/${l.version}`, `v${l.version}`), `${(l.weight_bps / 100).toFixed(2)}%`]),
          "lineage",
        ),
      ) +
      panel(
        "batches",
        "Batches",
        h,
        table(
          ["operator", "seq", "epoch", "receipts", "units", "charge", "status", "root", "posted"],
          await Promise.all(
            batches.map(async (b) => [
              link(`#/operator/${b.operator}`, shortAddr(b.operator)),
              String(b.seq),
              link(`#/epoch/${b.epoch}`, b.epoch),
              `${b.first_id}–${b.last_id} (${b.count})`,
              esc(b.total_units),
              esc(await amount(r.snap, b.charge, denom)),
              esc(batchStatus(b.status)),
              `<code>${esc(b.root.slice(0, 16))}…</code>`,
              time(b.posted_at),
            ]),
          ),
          "batches",
        ),
      ),
  };
}

export async function operator(r: Read, address: string): Promise<Page> {
  let op: ReceiptOracle.NullableOperator;
  try {
    op = await r.q.receiptOracle.operator({ address });
  } catch (e) {
    if (isNotFound(e) || /invalid|bech32|address/i.test((e as Error).message)) return notFound(`operator ${address}`, r.snap.height);
    throw e;
  }
  if (!op) return notFound(`operator ${address}`, r.snap.height);
  const served = (await allModels(r)).filter((m) => m.operators.includes(address));
  const open = await r.q.receiptOracle.openBatches({ operator: address });
  return {
    title: `Operator ${shortAddr(address)}`,
    html: panel(
      "operator",
      `Operator ${address}`,
      r.snap.height,
      facts([
        ["signing key", `<code>${esc(op.pubkey)}</code>`],
        ["models served (bond)", (await Promise.all(served.map(async (m) => `${link(`#/model/${m.id}`, `model ${m.id}`)} (${esc(await amount(r.snap, m.bond, m.royalty_per_unit.denom))})`))).join(", ") || "none"],
        ["open batches", String(open.open)],
      ]),
    ),
  };
}
