import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { addScrapeTarget, ensureServices, promQuery, waitForScrape } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { byPid, scrape, spread, startInstance, total, type Instance } from "./instance.ts";

const N = 600;
const SERVER_COUNT = /^http_server_request_duration(_seconds)?_count$/;
const CLIENT_COUNT = /^http_client_request_duration(_seconds)?_count$/;

describe("two workers, one scrape: the instance's counts are the sum of what every worker served", () => {
  let backends: TestBackend[];
  let instance: Instance;
  let metricsUrl: string;
  before(async () => {
    backends = await Promise.all(["a", "b", "c"].map((n) => startBackend(n)));
    const metricsPort = await closedPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        "upstreams:",
        "  api:",
        "    strategy: random",
        `    backends: [${backends.map((b) => `{ url: "${b.url}" }`).join(", ")}]`,
        `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance.stop();
    await Promise.all(backends.map((b) => b.kill()));
  });

  it(`${N} requests over fresh connections: per backend, the scrape equals each backend's own count, and both workers served some`, async (t) => {
    const bodies = await spread(`${instance.url}/items`, N, 8);
    assert.deepEqual([...bodies.keys()].sort(), ["a", "b", "c"]);
    const served = new Map(backends.map((b) => [`127.0.0.1:${b.port}`, b.requests.length]));
    assert.equal(
      [...served.values()].reduce((x, y) => x + y, 0),
      N,
    );

    // A worker records a request when its response has ended, which the client may see first.
    const samples = await waitFor(
      async () => {
        const s = await scrape(metricsUrl);
        return total(s, CLIENT_COUNT) === N ? s : undefined;
      },
      { what: `the scrape to count all ${N} attempts` },
    );
    for (const [backend, count] of served)
      assert.equal(total(samples, CLIENT_COUNT, { traceway_backend: backend }), count, backend);
    assert.equal(total(samples, SERVER_COUNT, { traceway_upstream: "api" }), N);

    // Each worker's own share, from its access lines (one per request, with its pid).
    const perWorker = byPid(await instance.accessAfter(0, N));
    assert.deepEqual([...perWorker.keys()].sort(), [...instance.workers.values()].sort());
    for (const [pid, count] of perWorker) assert.ok(count > 0, `worker ${pid} served ${count}`);
    assert.equal(
      [...perWorker.values()].reduce((x, y) => x + y, 0),
      N,
    );
    t.diagnostic(
      `per worker: ${JSON.stringify(Object.fromEntries(perWorker))}; per backend: ${JSON.stringify(Object.fromEntries(served))}`,
    );
  });

  it("the real Prometheus reads the same per-backend counts from the instance's one endpoint", async () => {
    await ensureServices("prometheus");
    const job = `workers-it-${randomUUID().slice(0, 8)}`;
    const removeTarget = await addScrapeTarget({ job, target: new URL(metricsUrl).host });
    try {
      await waitForScrape(job);
      const byBackend = await waitFor(
        async () => {
          const r = await promQuery(
            `sum by (traceway_backend)({__name__=~"http_client_request_duration(_seconds)?_count", job="${job}"})`,
          );
          return r.reduce((sum, s) => sum + s.value, 0) === N ? r : undefined;
        },
        { what: "Prometheus to have scraped every attempt", timeoutMs: 20_000, intervalMs: 250 },
      );
      const served = new Map(backends.map((b) => [`127.0.0.1:${b.port}`, b.requests.length]));
      assert.deepEqual(new Map(byBackend.map((s) => [s.metric["traceway_backend"]!, s.value])), served);
    } finally {
      await removeTarget();
    }
  });
});
