// The metering service and the auditor (SPEC §11), when the server was told where they
// run: their health and their own metrics, read through the dashboard's server.
import { esc } from "../format";
import { serviceRows } from "../prometheus";
import { table, type Page } from "../ui";

async function service(name: string): Promise<string> {
  const health = await fetch(`/svc/${name}/healthz`).then(
    (r) => (r.ok ? "up" : `HTTP ${r.status}`),
    (e) => `down (${(e as Error).message})`,
  );
  let rows: string[][] = [];
  try {
    const res = await fetch(`/svc/${name}/metrics`);
    if (res.ok) {
      rows = serviceRows(await res.text()).map((r) => r.map(esc));
    }
  } catch {
    // health already says down
  }
  return `<section class="panel" data-panel="svc-${esc(name)}"><h2>${esc(name)}: <span data-testid="health-${esc(name)}">${esc(health)}</span></h2>
    ${table(["metric", "labels", "value"], rows, `metrics-${name}`)}</section>`;
}

export async function services(names: string[]): Promise<Page> {
  if (names.length === 0) {
    return {
      title: "Services",
      html: `<section class="panel" data-panel="services"><h2>Services</h2><p class="empty">No metering service or auditor configured: serve the dashboard with ATTRIB_METER_URL and ATTRIB_AUDITOR_URL to see them here.</p></section>`,
    };
  }
  return { title: "Services", html: (await Promise.all(names.map(service))).join("") };
}
