import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { statusPage } from "../../../../src/admin/status-page/status-page.ts";
import { httpGet } from "../../../helpers/http-client.ts";

// The middleware on a real listener; requests it passes on get 404 "next", as the admin app would.
let server: Server;
let base: string;
before(async () => {
  const page = statusPage();
  server = createServer((req, res) => page(req, res, () => res.writeHead(404).end("next")));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The asset URLs the page links, in document order. */
function assetUrls(html: string): string[] {
  return [...html.matchAll(/(?:href|src)="(assets\/[^"]+)"/g)].map((m) => `/${m[1]}`);
}

void test("GET / is the page: revalidated each load, locked to this origin by its CSP", async () => {
  const res = await httpGet(`${base}/`);
  assert.equal(res.status, 200);
  assert.equal(res.headers["content-type"], "text/html; charset=utf-8");
  assert.equal(res.headers["cache-control"], "no-cache");
  assert.equal(res.headers["x-content-type-options"], "nosniff");
  const csp = String(res.headers["content-security-policy"]);
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/, "no inline script, no other origin");
  assert.match(csp, /connect-src 'self'(;|$)/);
  assert.doesNotMatch(res.body, /https?:\/\//, "the page links nothing absolute: no CDN");
  assert.deepEqual(
    assetUrls(res.body).map((url) => url.replace(/^\/assets\/[0-9a-f]{12}\//, "")),
    ["uplot.css", "status-page.css", "uplot.js", "main.js"],
  );
});

void test("every asset the page links is served with a year's immutable caching and its type", async () => {
  const page = await httpGet(`${base}/`);
  for (const url of assetUrls(page.body)) {
    const res = await httpGet(`${base}${url}`);
    assert.equal(res.status, 200, url);
    assert.equal(res.headers["cache-control"], "public, max-age=31536000, immutable", url);
    assert.equal(
      res.headers["content-type"],
      url.endsWith(".js") ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8",
    );
    assert.equal(Number(res.headers["content-length"]), Buffer.byteLength(res.body), url);
  }
  const uplot = await httpGet(`${base}${assetUrls(page.body).find((u) => u.endsWith("uplot.js"))}`);
  assert.match(uplot.body, /uPlot/, "uPlot itself, from node_modules");
});

void test("modules the entry point imports are served from the same versioned folder", async () => {
  const page = await httpGet(`${base}/`);
  const main = assetUrls(page.body).find((u) => u.endsWith("main.js")) ?? "";
  const folder = main.slice(0, main.lastIndexOf("/") + 1);
  const imports = [...(await httpGet(`${base}${main}`)).body.matchAll(/from "\.\/([a-z-]+\.js)"/g)];
  assert.ok(imports.length > 3, "main.js imports its parts");
  for (const [, name] of imports) assert.equal((await httpGet(`${base}${folder}${name}`)).status, 200, name);
});

void test("a matching If-None-Match gets 304 without a body; HEAD gets the headers only", async () => {
  const first = await httpGet(`${base}/`);
  const etag = String(first.headers["etag"]);
  const again = await httpGet(`${base}/`, { headers: { "if-none-match": etag } });
  assert.equal(again.status, 304);
  assert.equal(again.body, "");
  const head = await httpGet(`${base}/`, { method: "HEAD" });
  assert.equal(head.status, 200);
  assert.equal(head.body, "");
  assert.equal(head.headers["content-length"], first.headers["content-length"]);
});

void test("anything else is left to the admin router: other versions, unknown files, other methods and paths", async () => {
  const page = await httpGet(`${base}/`);
  const main = assetUrls(page.body).find((u) => u.endsWith("main.js")) ?? "";
  for (const [method, path] of [
    ["GET", main.replace(/\/assets\/[0-9a-f]{12}\//, "/assets/000000000000/")],
    ["GET", main.replace("main.js", "nope.js")],
    ["GET", main.replace("main.js", "tsconfig.json")],
    ["POST", "/"],
    ["GET", "/index.html"],
    ["GET", "/api/v1/upstreams"],
  ] as const) {
    const res = await httpGet(`${base}${path}`, { method });
    assert.deepEqual([res.status, res.body], [404, "next"], `${method} ${path}`);
  }
});
