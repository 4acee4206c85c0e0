// The dashboard in a real browser (Debian's Chromium driven by playwright-core) against a
// chain where the SPEC §10 story ran (CI: scripts/e2e.sh's chain, after its end-to-end
// tests): every page renders without a console error, the watch list's figures equal
// `attrib stats -o json` for the same epochs, `ibc/…` fees show by base denom and path
// (when the chain has any), a screenshot of every page goes to target/dashboard/, the
// chain down or a wrong chain id shows a banner, an unknown dataset a not-found page; the
// overview's paint timings and page weight go to target/dashboard/perf.json. Run by
// scripts/dashboard.sh test, which serves the build (environment: test/browser.mjs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHAIN_ID, NODE, OUT, heights, launch, open, shot, watchListEqualsCli } from "./browser.mjs";

let browser;
const perf = {};
/** `attrib stats` of the overview's epochs (the first test reads them). */
let stats;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
  writeFileSync(join(OUT, "perf.json"), JSON.stringify(perf, null, 2) + "\n");
});

test("the watch list: figures equal `attrib stats -o json`, charts drawn, no console error", async () => {
  const p = await open(browser, "/");
  const cmp = await watchListEqualsCli(p.page);
  stats = cmp.stats;
  await shot(p.page, "overview");
  perf.overview = { height: cmp.height, epochs: cmp.epochs, figures_compared: cmp.figures_compared, ...(await p.timings()), ...(await p.weight()) };
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("the objects pages render, link to each other, and show no console error", async () => {
  const visited = [];
  const visit = async (hash, name) => {
    const p = await open(browser, hash);
    await heights(p.page);
    assert.equal(await p.page.locator("[data-testid=not-found]").count(), 0, `${hash} says not found`);
    if (name) await shot(p.page, name);
    assert.deepEqual(p.errors, [], `console errors on ${hash}`);
    visited.push(hash);
    return p;
  };
  const links = (p, prefix) => p.page.$$eval(`a[href^="#${prefix}"]`, (as) => [...new Set(as.map((a) => a.getAttribute("href").slice(1)))]);
  const firstLink = async (p, prefix) => {
    const [href] = await links(p, prefix);
    assert.ok(href, `no link to ${prefix}`);
    return href;
  };
  // A dataset with a sealed version (the datasets list links its latest version).
  let p = await visit("/datasets", "datasets");
  const ver = (await links(p, "/dataset/")).find((h) => /^\/dataset\/\d+\/version\/\d+$/.test(h));
  assert.ok(ver, "no dataset with a sealed version");
  await p.close();
  p = await visit(ver.replace(/\/version\/\d+$/, ""), "dataset");
  assert.ok((await p.page.locator("[data-testid=tranches] tbody tr").count()) > 0, "no tranches");
  assert.ok((await links(p, ver)).length > 0, "the dataset does not link its version");
  await p.close();
  p = await visit(ver, "version");
  assert.ok((await p.page.locator("[data-testid=positions] tbody tr").count()) > 0, "no contributor positions");
  await p.close();
  // A model with batches (the story's metered model), its lineage and its operator.
  p = await visit("/models", "models");
  const models = (await links(p, "/model/")).slice(0, 10);
  assert.ok(models.length > 0, "no model");
  await p.close();
  let metered;
  for (const m of models) {
    p = await visit(m);
    if ((await p.page.locator("[data-testid=batches] tbody tr").count()) > 0) {
      metered = p;
      break;
    }
    await p.close();
  }
  assert.ok(metered, `no batches on models ${models.join(", ")}`);
  await shot(metered.page, "model");
  assert.ok((await firstLink(metered, "/dataset/")).startsWith("/dataset/"), "no lineage link");
  const op = await firstLink(metered, "/operator/");
  await metered.close();
  p = await visit(op, "operator");
  await p.close();
  p = await visit("/epochs", "epochs");
  const ep = await firstLink(p, "/epoch/");
  await p.close();
  p = await visit(ep, "epoch");
  await p.close();
  p = await visit("/disputes", "disputes");
  await p.close();
  assert.ok(visited.length >= 9, `visited ${visited.join(", ")}`);
});

test("ibc/… fees show by base denom and path, from the chain's denom traces", async (t) => {
  // The vouchers this chain receives over its recorded IBC links (scripts/ibc.sh): ICS-20
  // names them ibc/SHA256(port/channel/base).
  const d = JSON.parse(readFileSync(process.env.ATTRIB_DEPLOYMENTS, "utf8"));
  const vouchers = new Map(
    Object.values(d.ibc ?? {}).map((l) => {
      const trace = `transfer/${l.channel_id}`;
      const hash = createHash("sha256").update(`${trace}/${l.counterparty_denom}`).digest("hex").toUpperCase();
      const base = l.counterparty_denom;
      return [`ibc/${hash}`, `${base.startsWith("u") ? base.slice(1).toUpperCase() : base} (${trace})`];
    }),
  );
  const epoch = stats?.epochs.find((e) => e.fees.some((f) => vouchers.has(f.denom)));
  if (!epoch) return t.skip("no epoch of the overview's range took fees in an ibc/ voucher on this chain");
  const denom = epoch.fees.find((f) => vouchers.has(f.denom)).denom;
  const p = await open(browser, `/epoch/${epoch.epoch}`);
  const text = await p.page.locator("#app").innerText();
  assert.ok(text.includes(vouchers.get(denom)), `epoch ${epoch.epoch} does not show ${vouchers.get(denom)} for ${denom}`);
  assert.ok(!text.includes("ibc/"), `epoch ${epoch.epoch} shows a raw ibc/ denom`);
  await shot(p.page, "epoch-ibc");
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("the services page: the meter's and the auditor's health and metrics, or how to configure them", async () => {
  const p = await open(browser, "/services");
  const text = await p.page.locator("#app").innerText();
  // Served with ATTRIB_METER_URL / ATTRIB_AUDITOR_URL: each one up, its attrib_ metrics listed.
  const names = ["meter", "auditor"].filter((n) => process.env[`ATTRIB_${n.toUpperCase()}_URL`]);
  if (names.length === 0) assert.match(text, /No metering service or auditor configured/);
  for (const n of names) {
    assert.equal(await p.page.locator(`[data-testid=health-${n}]`).innerText(), "up", `${n}'s health`);
    const rows = await p.page.$$eval(`[data-testid=metrics-${n}] tbody tr`, (trs) => trs.map((tr) => tr.cells[0].textContent));
    assert.ok(rows.length > 0 && rows.every((r) => r.startsWith(`attrib_${n}_`)), `${n}'s metrics: ${rows}`);
  }
  await shot(p.page, "services");
  assert.deepEqual(p.errors, []);
  await p.close();
});

test("an unknown dataset, a malformed epoch range: not-found pages, not a chain error", async () => {
  for (const [hash, says, name] of [
    ["/dataset/987654", /no dataset 987654/, "not-found"],
    ["/?to=abc", /no epoch abc/, undefined],
  ]) {
    const p = await open(browser, hash);
    await p.page.waitForSelector("[data-testid=not-found]");
    assert.match(await p.page.locator("[data-testid=not-found]").innerText(), says);
    if (name) await shot(p.page, name);
    assert.deepEqual(p.errors, [], `console errors on ${hash}`);
    await p.close();
  }
});

test("the chain down: a banner, not a blank page", async () => {
  const p = await open(browser, "/", { search: `?node=${encodeURIComponent("http://127.0.0.1:9")}`, expect: "error" });
  const banner = p.page.locator("[data-testid=banner]");
  assert.ok(await banner.isVisible());
  assert.match(await banner.innerText(), /the chain is down: no answer from http:\/\/127\.0\.0\.1:9/);
  await shot(p.page, "chain-down");
  await p.close();
});

test("a wrong chain id: a banner naming both chains", async () => {
  const p = await open(browser, "/", { search: "?chain_id=not-this-chain", expect: "error" });
  const banner = p.page.locator("[data-testid=banner]");
  assert.ok(await banner.isVisible());
  assert.equal(await banner.innerText(), `wrong chain: the node at ${NODE} serves ${CHAIN_ID}, expected not-this-chain`);
  await shot(p.page, "wrong-chain");
  assert.deepEqual(p.errors, []);
  await p.close();
});
