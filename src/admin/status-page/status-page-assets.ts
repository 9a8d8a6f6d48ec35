import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join } from "node:path";

/** One file the page loads, held in memory: the admin listener never reads the disk per request. */
export interface StatusPageAsset {
  readonly body: Buffer;
  readonly contentType: string;
}

/** The page's files by name, and a version that changes whenever any of them does. */
export interface StatusPageAssets {
  /** Short hash of every file: part of each asset's URL, so those URLs can be cached forever. */
  readonly version: string;
  readonly files: ReadonlyMap<string, StatusPageAsset>;
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** uPlot from node_modules, served under these names: nothing is fetched from a CDN. */
const VENDORED = [
  { name: "uplot.js", module: "uplot/dist/uPlot.iife.min.js" },
  { name: "uplot.css", module: "uplot/dist/uPlot.min.css" },
] as const;

/**
 * Reads the browser code (src/admin/status-page/client) and uPlot once, when the admin listener
 * starts: a few small files, read synchronously so a missing one fails the start rather than the
 * first visit. The client is plain JavaScript served as it is, so neither `npm start` nor the
 * compiled package needs a build step for it; from dist/ it is found through the package root
 * (package.json `files`).
 */
export function loadStatusPageAssets(): StatusPageAssets {
  const dir = clientDir();
  const names = readdirSync(dir)
    .filter((name) => CONTENT_TYPES[extname(name)] !== undefined)
    .sort();
  const files = new Map<string, StatusPageAsset>();
  for (const name of names) files.set(name, asset(name, readFileSync(join(dir, name))));
  const require = createRequire(import.meta.url);
  for (const { name, module } of VENDORED)
    files.set(name, asset(name, readFileSync(require.resolve(module))));
  const hash = createHash("sha256");
  for (const [name, file] of files) hash.update(name).update("\0").update(file.body);
  return { version: hash.digest("hex").slice(0, 12), files };
}

function asset(name: string, body: Buffer): StatusPageAsset {
  return { body, contentType: CONTENT_TYPES[extname(name)] ?? "application/octet-stream" };
}

/** The client folder next to this file (running from src/), else under the package root (from dist/). */
function clientDir(): string {
  const beside = join(import.meta.dirname, "client");
  if (existsSync(beside)) return beside;
  for (let dir = import.meta.dirname; dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, "package.json"))) return join(dir, "src", "admin", "status-page", "client");
  }
  throw new Error(`status page: no client folder beside ${import.meta.dirname} or under its package root`);
}
