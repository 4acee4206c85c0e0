// Routes (#/path?query) to pages; a banner instead of a blank page when the chain is down
// or is the wrong chain.
import "./style.css";
import { ChainUnavailable, connection, read, type Read } from "./chain";
import { esc } from "./format";
import type { Page } from "./ui";
import { overview } from "./pages/overview";
import { dataset, datasets, version } from "./pages/datasets";
import { model, models, operator } from "./pages/models";
import { disputes, epoch, epochs } from "./pages/epochs";
import { notFound } from "./pages/notfound";
import { services } from "./pages/services";

type Route = (r: Read, params: URLSearchParams, m: RegExpMatchArray) => Promise<Page>;
const routes: [RegExp, Route][] = [
  [/^\/?$/, (r, p) => overview(r, p)],
  [/^\/datasets$/, (r) => datasets(r)],
  [/^\/dataset\/(\d+)$/, (r, _p, m) => dataset(r, Number(m[1]))],
  [/^\/dataset\/(\d+)\/version\/(\d+)$/, (r, _p, m) => version(r, Number(m[1]), Number(m[2]))],
  [/^\/models$/, (r) => models(r)],
  [/^\/model\/(\d+)$/, (r, _p, m) => model(r, Number(m[1]))],
  [/^\/operator\/([a-z0-9]+)$/, (r, _p, m) => operator(r, m[1])],
  [/^\/epochs$/, (r) => epochs(r)],
  [/^\/epoch\/(\d+)$/, (r, _p, m) => epoch(r, Number(m[1]))],
  [/^\/disputes$/, (r) => disputes(r)],
  [/^\/services$/, (r) => services(r.conn.services)],
];

const app = document.getElementById("app")!;
const banner = document.getElementById("banner")!;

function showBanner(msg: string | undefined) {
  banner.hidden = !msg;
  banner.textContent = msg ?? "";
}

let rendering = 0;
async function render() {
  const mine = ++rendering;
  const [path, query] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(query ?? "");
  app.setAttribute("aria-busy", "true");
  app.dataset.state = "loading";
  try {
    const r = await read();
    document.getElementById("chain")!.textContent = `${r.conn.chain_id} · height ${r.snap.height}`;
    const hit = routes.map(([re, f]) => [path.match(re), f] as const).find(([m]) => m);
    const page = hit ? await hit[1](r, params, hit[0]!) : notFound(`page ${path}`, r.snap.height);
    if (mine !== rendering) return;
    showBanner(undefined);
    document.title = `${page.title} · Attrib`;
    app.innerHTML = page.html;
    page.mount?.(app);
    app.dataset.state = "ready";
    // The frame that shows the page with its charts drawn: what the perf test times.
    requestAnimationFrame(() => mine === rendering && performance.mark("attrib:ready", { detail: path }));
  } catch (e) {
    if (mine !== rendering) return;
    const msg = e instanceof ChainUnavailable ? e.message : `could not read the chain: ${(e as Error).message}`;
    showBanner(msg);
    app.innerHTML = `<p class="empty">${esc(msg)}</p>`;
    app.dataset.state = "error";
  } finally {
    if (mine === rendering) app.removeAttribute("aria-busy");
  }
}

window.addEventListener("hashchange", render);
void connection().catch(() => undefined);
void render();
