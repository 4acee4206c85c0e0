// What the browser tests share (browser.test.mjs on a chain where the SPEC §10 story ran,
// perf.test.mjs on a chain with a long history): Debian's Chromium through playwright-core,
// pages opened cold and measured, the CLI's figures to compare with. The environment
// (scripts/dashboard.sh test sets it):
//   DASHBOARD_URL                                       the served dashboard
//   ATTRIB_NODE, ATTRIB_CHAIN_ID, ATTRIB_DEPLOYMENTS    the chain it reads (for the CLI)
//   ATTRIB_CLI                                          the `attrib` binary
//   CHROMIUM                                            the browser (/usr/bin/chromium)
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const OUT = join(ROOT, "target", "dashboard");
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (scripts/dashboard.sh test sets it)`);
  return v;
};
export const URL_ = env("DASHBOARD_URL");
export const NODE = env("ATTRIB_NODE");
export const CHAIN_ID = env("ATTRIB_CHAIN_ID");
const DEPLOYMENTS = env("ATTRIB_DEPLOYMENTS");
const CLI = env("ATTRIB_CLI");

/** `attrib … -o json` on the dashboard's chain and deployments, parsed. */
export function attrib(...args) {
  const out = execFileSync(CLI, ["--node", NODE, "--chain-id", CHAIN_ID, "--deployments", DEPLOYMENTS, "-o", "json", ...args], {
    encoding: "utf8",
  });
  return JSON.parse(out);
}

/** A value out of JSON by a dotted path (`epochs.0.disputes.opened`). */
export function at(doc, path) {
  return path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), doc);
}

export async function launch() {
  mkdirSync(OUT, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
}

/**
 * Opens a page of the dashboard in a context of its own (a cold cache, as a first visit);
 * returns it with the console errors it logged and `weight()`: the bytes it transferred,
 * every request's response headers and encoded body as the network delivered them
 * (Chromium's own counts), split into the dashboard's server (HTML, JS, CSS, config) and
 * the chain's RPC (cross-origin JSON-RPC answers).
 */
export async function open(browser, hash, { search = "", expect = "ready" } = {}) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  const sizes = [];
  page.on("requestfinished", (req) =>
    sizes.push(req.sizes().then((s) => ({ url: req.url(), bytes: s.responseHeadersSize + s.responseBodySize }))),
  );
  await page.goto(`${URL_}/${search}#${hash}`);
  await page.waitForSelector(`#app[data-state="ready"], #app[data-state="error"]`, { timeout: 30_000 });
  const state = await page.getAttribute("#app", "data-state");
  if (state !== expect) {
    const banner = await page.locator("[data-testid=banner]").innerText();
    throw new Error(`#${hash}${search}: the page is ${state}, not ${expect}: ${banner} (console: ${errors.join("; ")})`);
  }
  const weight = async () => {
    await page.waitForLoadState("networkidle");
    const all = await Promise.all(sizes);
    const sum = (xs) => xs.reduce((a, x) => a + x.bytes, 0);
    const own = all.filter((x) => x.url.startsWith(URL_));
    const rpc = all.filter((x) => x.url.startsWith(NODE));
    return { total_bytes: sum(all), dashboard_bytes: sum(own), rpc_bytes: sum(rpc), requests: all.length, rpc_requests: rpc.length };
  };
  /** Paint timings (ms since navigation): first paint, first contentful paint, and the
   * frame that showed the page with its charts drawn (the dashboard's `attrib:ready` mark). */
  const timings = async () => {
    await page.waitForFunction(() => performance.getEntriesByName("attrib:ready").length > 0);
    return page.evaluate(() => {
      const t = (name) => Math.round(performance.getEntriesByName(name)[0]?.startTime ?? NaN);
      return { first_paint_ms: t("first-paint"), first_contentful_paint_ms: t("first-contentful-paint"), charts_drawn_ms: t("attrib:ready") };
    });
  };
  const close = () => context.close();
  return { page, errors, weight, timings, close };
}

export async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

/** Every panel of the page is stamped with one height, and it is a real block. */
export async function heights(page) {
  const hs = await page.$$eval("[data-testid=height]", (els) => els.map((e) => Number(e.dataset.height)));
  assert.ok(hs.length > 0, "no panel");
  assert.ok(hs.every((h) => h === hs[0] && h > 0), `panels read at different heights: ${hs}`);
  return hs[0];
}

/**
 * The watch list's figures against `attrib stats -o json` for the epochs the page shows:
 * every `data-field` equal, every epoch of the CLI's answer on the page, a chart per
 * question. Returns what was compared.
 */
export async function watchListEqualsCli(page) {
  const h = await heights(page);
  const fields = await page.$$eval("[data-field]", (els) => els.map((e) => [e.dataset.field, e.dataset.raw]));
  const f = Object.fromEntries(fields);
  const stats = attrib("stats", "--from-epoch", f.from, "--to-epoch", f.to);
  assert.ok(stats.epochs.length > 0, `no epoch with inflows in ${f.from}..${f.to}`);
  let compared = 0;
  for (const [path, raw] of fields) {
    if (path === "from" || path === "to") continue;
    assert.equal(raw, String(at(stats, path)), `${path} at height ${h}`);
    compared++;
  }
  for (let i = 0; i < stats.epochs.length; i++) {
    assert.ok(`epochs.${i}.fee_value` in f && `epochs.${i}.emission_share_bps` in f, `epoch ${i} missing`);
  }
  assert.ok("buyers.distinct" in f && "emission_share_bps" in f);
  assert.equal(await page.locator(".chart canvas").count(), 5, "one chart per watch-list question");
  assert.equal(await page.locator("[data-testid=banner]").isVisible(), false);
  return { height: h, from: Number(f.from), to: Number(f.to), epochs: stats.epochs.length, figures_compared: compared, stats };
}
