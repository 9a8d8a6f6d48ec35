import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { addScrapeTarget, ensureServices, promQuery, waitForScrape } from "../../helpers/services.ts";

// Proves Prometheus really scrapes a target added through file_sd and answers PromQL over its HTTP API.
const job = `traceway-probe-${randomUUID()}`;
let server: Server;
let scrapes = 0;
let removeTarget: (() => Promise<void>) | undefined;

before(async () => {
  await ensureServices("prometheus");
  server = createServer((req, res) => {
    if (req.url !== "/metrics") return void res.writeHead(404).end();
    scrapes += 1;
    res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
    res.end(
      "# HELP traceway_probe_value A fixed value.\n# TYPE traceway_probe_value gauge\ntraceway_probe_value 42\n",
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

after(async () => {
  await removeTarget?.();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

void test("a file_sd target is scraped and its gauge is queryable with PromQL", async () => {
  const { port } = server.address() as AddressInfo;
  removeTarget = await addScrapeTarget({ job, target: `127.0.0.1:${port}`, labels: { probe: "yes" } });

  const up = await waitForScrape(job);
  assert.equal(up.length, 1);
  assert.equal(up[0]?.metric["probe"], "yes");

  const samples = await promQuery(`traceway_probe_value{job=${JSON.stringify(job)}}`);
  assert.equal(samples.length, 1);
  assert.equal(samples[0]?.value, 42);
  assert.equal(samples[0]?.metric["instance"], `127.0.0.1:${port}`);
  assert.ok(scrapes >= 1, "the probe server saw a scrape request");
});
