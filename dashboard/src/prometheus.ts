// The Prometheus text format, as the metering service and the auditor expose it: one
// sample a line (`name{labels} value`), `#` lines are help and types; values may be
// `+Inf`, `-Inf` or `NaN` (the meter's escrow cover of a model that pays nothing per batch).
export interface Sample {
  name: string;
  labels: string;
  value: number;
}

const SPECIAL: Record<string, number> = { "+Inf": Infinity, "-Inf": -Infinity, NaN: NaN };

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/);
    if (!m) continue;
    const value = m[3] in SPECIAL ? SPECIAL[m[3]] : Number(m[3]);
    if (!Number.isNaN(value) || m[3] === "NaN") out.push({ name: m[1], labels: m[2] ?? "", value });
  }
  return out;
}

/** A sample's value for people: `∞` for +Inf, integers as they are, others to 6 digits. */
export function showValue(v: number): string {
  if (v === Infinity) return "∞";
  if (v === -Infinity) return "-∞";
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
}

/**
 * The services panel's rows of a /metrics text: the service's own `attrib_` samples,
 * a histogram by its count and mean (its buckets are for Prometheus, not for reading).
 */
export function serviceRows(text: string): [name: string, labels: string, value: string][] {
  const samples = parsePrometheus(text).filter((s) => s.name.startsWith("attrib_") && !s.name.endsWith("_bucket"));
  const byName = new Map(samples.map((s) => [s.name + s.labels, s.value]));
  const rows: [string, string, string][] = [];
  for (const s of samples) {
    if (s.name.endsWith("_sum") && byName.has(s.name.slice(0, -4) + "_count" + s.labels)) {
      const base = s.name.slice(0, -4);
      const count = byName.get(base + "_count" + s.labels)!;
      rows.push([`${base} (mean)`, s.labels, count ? showValue(s.value / count) : "–"]);
      continue;
    }
    rows.push([s.name, s.labels, showValue(s.value)]);
  }
  return rows;
}
