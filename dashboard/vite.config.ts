// The dashboard reads the chain straight from the browser (CometBFT RPC; the local
// chain allows this origin, see scripts/localnet.sh). Which chain: /attrib-config.json,
// served here from the same environment as the `attrib` CLI (ATTRIB_NODE,
// ATTRIB_CHAIN_ID, ATTRIB_DEPLOYMENTS), by `vite` (dev) and `vite preview` (the build).
// The metering service and the auditor (SPEC §11), when ATTRIB_METER_URL /
// ATTRIB_AUDITOR_URL name them, are reached through this server (/svc/meter/…,
// /svc/auditor/…): their metrics endpoints are not for browsers of other origins.
import { defineConfig, type Plugin } from "vite";
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { IncomingMessage, ServerResponse } from "node:http";

function attribConfig(): Plugin {
  const serve = (req: IncomingMessage, res: ServerResponse, next: () => void) => {
    if (req.url?.split("?")[0] !== "/attrib-config.json") return next();
    const chain_id = process.env.ATTRIB_CHAIN_ID ?? "attrib-local";
    const node = process.env.ATTRIB_NODE ?? "http://127.0.0.1:26657";
    const path = process.env.ATTRIB_DEPLOYMENTS ?? resolve(import.meta.dirname, "..", "deployments", `${chain_id}.json`);
    res.setHeader("content-type", "application/json");
    res.setHeader("cache-control", "no-store");
    try {
      const deployments = JSON.parse(readFileSync(path, "utf8"));
      res.end(JSON.stringify({ node, chain_id, deployments, services: Object.keys(services) }));
    } catch (e) {
      res.statusCode = 503;
      res.end(JSON.stringify({ node, chain_id, error: `no deployments at ${path}: ${(e as Error).message}` }));
    }
  };
  return {
    name: "attrib-config",
    configureServer: (s) => void s.middlewares.use(serve),
    configurePreviewServer: (s) => void s.middlewares.use(serve),
  };
}

const services: Record<string, string> = Object.fromEntries(
  [
    ["meter", process.env.ATTRIB_METER_URL],
    ["auditor", process.env.ATTRIB_AUDITOR_URL],
  ].filter((e): e is [string, string] => !!e[1]),
);
const proxy = Object.fromEntries(
  Object.entries(services).map(([name, target]) => [
    `/svc/${name}`,
    { target, changeOrigin: true, rewrite: (p: string) => p.replace(`/svc/${name}`, "") },
  ]),
);

const port = Number(process.env.DASHBOARD_PORT ?? 5173);
export default defineConfig({
  plugins: [attribConfig()],
  server: { host: "127.0.0.1", port, strictPort: true, proxy },
  preview: { host: "127.0.0.1", port, strictPort: true, proxy },
  build: { target: "es2022", outDir: "dist", emptyOutDir: true },
});
