// The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a
// chain where the SPEC §10 story ran: every page renders without a console error, the
// watch list's figures equal `attrib stats -o json` for the same epochs, a screenshot of
// every page goes to target/dashboard/, the chain down or a wrong chain id shows a banner,
// an unknown dataset a not-found page; first paint and page weight go to
// target/dashboard/perf.json. Run by scripts/dashboard.sh test, which serves the build:
//   DASHBOARD_URL                                       the served dashboard
//   ATTRIB_NODE, ATTRIB_CHAIN_ID, ATTRIB_DEPLOYMENTS    the chain it reads (for the CLI)
//   ATTRIB_CLI                                          the `attrib` binary
//   CHROMIUM                                            the browser (/usr/bin/chromium)
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import { chromium } from "playwright-core";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const OUT = join(ROOT, "target", "dashboard");
const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set (scripts/dashboard.sh test sets it)`);
  return v;
};
const URL_ = env("DASHBOARD_URL");
const NODE = env("ATTRIB_NODE");
const CHAIN_ID = env("ATTRIB_CHAIN_ID");
const DEPLOYMENTS = env("ATTRIB_DEPLOYMENTS");
const CLI = env("ATTRIB_CLI");

function attrib(...args) {
  const out = execFileSync(CLI, ["--node", NODE, "--chain-id", CHAIN_ID, "--deployments", DEPLOYMENTS, "-o", "json", ...args], {
    encoding: "utf8",
  });
  return JSON.parse(out);
}

/** A value out of JSON by a dotted path (`epochs.0.disputes.opened`). */
function at(doc, path) {
  return path.split(".").reduce((v, k) => (v == null ? undefined : v[k]), doc);
}

let browser;
const perf = {};

before(async () => {
  mkdirSync(OUT, { recursive: true });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
  });
});

after(async () => {
  await browser?.close();
  writeFileSync(join(OUT, "perf.json"), JSON.stringify(perf, null, 2) + "\n");
});

/** Opens a page of the dashboard; returns it with the console errors it logged. */
async function open(hash, { search = "", expect = "ready" } = {}) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(String(e)));
  let bytes = 0;
  page.on("response", async (r) => {
    if (r.url().startsWith(URL_)) bytes += (await r.body().catch(() => Buffer.alloc(0))).length;
  });
  const t0 = Date.now();
  await page.goto(`${URL_}/${search}#${hash}`);
  await page.waitForSelector(`#app[data-state="${expect}"]`, { timeout: 30_000 });
  const ready = Date.now() - t0;
  return { page, errors, ready, bytes: () => bytes };
}

async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

/** Every panel of the page is stamped with one height, and it is a real block. */
async function heights(page) {
  const hs = await page.$$eval("[data-testid=height]", (els) => els.map((e) => Number(e.dataset.height)));
  assert.ok(hs.length > 0, "no panel");
  assert.ok(hs.every((h) => h === hs[0] && h > 0), `panels read at different heights: ${hs}`);
  return hs[0];
}

test("the watch list: figures equal `attrib stats -o json`, charts drawn, no console error", async () => {
  const { page, errors, ready, bytes } = await open("/");
  const h = await heights(page);
  const fields = await page.$$eval("[data-field]", (els) => els.map((e) => [e.dataset.field, e.dataset.raw]));
  const f = Object.fromEntries(fields);
  const stats = attrib("stats", "--from-epoch", f.from, "--to-epoch", f.to);
  assert.ok(stats.epochs.length > 0, "the story left no epoch with inflows in the range");
  let compared = 0;
  for (const [path, raw] of fields) {
    if (path === "from" || path === "to") continue;
    assert.equal(raw, String(at(stats, path)), `${path} at height ${h}`);
    compared++;
  }
  // Every epoch of the CLI's answer is on the page, with its fee value and emission share.
  for (let i = 0; i < stats.epochs.length; i++) {
    assert.ok(`epochs.${i}.fee_value` in f && `epochs.${i}.emission_share_bps` in f, `epoch ${i} missing`);
  }
  assert.ok("buyers.distinct" in f && "emission_share_bps" in f);
  // One uPlot canvas per watch-list question.
  assert.equal(await page.locator(".chart canvas").count(), 5);
  assert.equal(await page.locator("[data-testid=banner]").isVisible(), false);
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? null);
  await shot(page, "overview");
  perf.overview = { height: h, epochs: stats.epochs.length, figures_compared: compared, first_contentful_paint_ms: fcp, ready_ms: ready, page_bytes: bytes() };
  assert.deepEqual(errors, []);
  await page.close();
});

test("the objects pages render, link to each other, and show no console error", async () => {
  const visited = [];
  const visit = async (hash, name) => {
    const { page, errors } = await open(hash);
    await heights(page);
    assert.equal(await page.locator("[data-testid=not-found]").count(), 0, `${hash} says not found`);
    await shot(page, name);
    assert.deepEqual(errors, [], `console errors on ${hash}`);
    visited.push(hash);
    return page;
  };
  const firstLink = async (page, prefix) => {
    const href = await page.$$eval(`a[href^="#${prefix}"]`, (as) => as.map((a) => a.getAttribute("href"))[0] ?? null);
    assert.ok(href, `no link to ${prefix}`);
    return href.slice(1);
  };
  let p = await visit("/datasets", "datasets");
  const ds = await firstLink(p, "/dataset/");
  await p.close();
  p = await visit(ds, "dataset");
  // The story's dataset has a sealed version with contributors.
  const ver = await firstLink(p, `${ds}/version/`);
  assert.ok((await p.locator("[data-testid=tranches] tbody tr").count()) > 0, "no tranches");
  await p.close();
  p = await visit(ver, "version");
  assert.ok((await p.locator("[data-testid=positions] tbody tr").count()) > 0, "no contributor positions");
  await p.close();
  p = await visit("/models", "models");
  const model = await firstLink(p, "/model/");
  await p.close();
  p = await visit(model, "model");
  assert.ok((await p.locator("[data-testid=batches] tbody tr").count()) > 0, "no batches");
  const lineage = await firstLink(p, "/dataset/");
  assert.ok(lineage.startsWith("/dataset/"));
  const op = await firstLink(p, "/operator/");
  await p.close();
  p = await visit(op, "operator");
  await p.close();
  p = await visit("/epochs", "epochs");
  const ep = await firstLink(p, "/epoch/");
  await p.close();
  p = await visit(ep, "epoch");
  await p.close();
  p = await visit("/disputes", "disputes");
  await p.close();
  assert.equal(visited.length, 9);
});

test("an unknown dataset is a not-found page", async () => {
  const { page, errors } = await open("/dataset/987654");
  await page.waitForSelector("[data-testid=not-found]");
  assert.match(await page.locator("[data-testid=not-found]").innerText(), /no dataset 987654/);
  await shot(page, "not-found");
  assert.deepEqual(errors, []);
  await page.close();
});

test("the chain down: a banner, not a blank page", async () => {
  const { page } = await open("/", { search: `?node=${encodeURIComponent("http://127.0.0.1:9")}`, expect: "error" });
  const banner = page.locator("[data-testid=banner]");
  assert.ok(await banner.isVisible());
  assert.match(await banner.innerText(), /the chain is down: no answer from http:\/\/127\.0\.0\.1:9/);
  await shot(page, "chain-down");
  await page.close();
});

test("a wrong chain id: a banner naming both chains", async () => {
  const { page, errors } = await open("/", { search: "?chain_id=not-this-chain", expect: "error" });
  const banner = page.locator("[data-testid=banner]");
  assert.ok(await banner.isVisible());
  assert.equal(await banner.innerText(), `wrong chain: the node at ${NODE} serves ${CHAIN_ID}, expected not-this-chain`);
  await shot(page, "wrong-chain");
  assert.deepEqual(errors, []);
  await page.close();
});
