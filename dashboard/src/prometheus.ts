// The Prometheus text format, as the metering service and the auditor expose it: one
// sample a line (`name{labels} value`), `#` lines are help and types.
export interface Sample {
  name: string;
  labels: string;
  value: number;
}

export function parsePrometheus(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (!line || line.startsWith("#")) continue;
    const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isNaN(value) || m[3] === "NaN") out.push({ name: m[1], labels: m[2] ?? "", value });
  }
  return out;
}
