import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import type { TracewayConfig } from "../../../src/config/types.ts";
import { PoolObservations } from "../../../src/run/pool-observations.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startTelemetry, type Telemetry } from "../../../src/telemetry/setup.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { addScrapeTarget, ensureServices, promQuery, waitForScrape } from "../../helpers/services.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** Two upstreams (or just `api`), each with its route, Prometheus on. */
function config(backends: { api: string; old?: string }): TracewayConfig {
  const upstreams = [testUpstream("api", [backends.api])];
  if (backends.old !== undefined) upstreams.push(testUpstream("old", [backends.old]));
  const base = testConfig(upstreams);
  return {
    ...base,
    routes: [
      ...(backends.old === undefined
        ? []
        : [{ match: { pathPrefix: "/old" }, upstream: "old", preserveHost: true }]),
      { match: { pathPrefix: "/" }, upstream: "api", preserveHost: true },
    ],
    telemetry: {
      ...base.telemetry,
      prometheus: { enabled: true, host: "127.0.0.1", port: 0, path: "/metrics" },
    },
  };
}

describe("a reload that removes an upstream", () => {
  let a: TestBackend;
  let b: TestBackend;
  let telemetry: Telemetry;
  let lb: RunningBalancer;
  let observations: PoolObservations;
  let removeTarget: () => Promise<void>;
  const job = `removed-upstream-${randomUUID().slice(0, 8)}`;
  before(async () => {
    [a, b] = await Promise.all([startBackend("a"), startBackend("b")]);
    const initial = config({ api: a.url, old: b.url });
    telemetry = await startTelemetry(initial);
    lb = await startBalancer({ config: initial, observer: telemetry.observer, logger: telemetry.logger });
    // What runBalancer does at start and after every reload.
    observations = new PoolObservations(telemetry, lb);
    observations.sync();
    await ensureServices("prometheus");
    removeTarget = await addScrapeTarget({ job, target: new URL(telemetry.metricsUrl!).host });
    await waitForScrape(job);
  });
  after(async () => {
    await removeTarget();
    await lb.close();
    observations.clear();
    await telemetry.shutdown();
    await Promise.all([a.kill(), b.kill()]);
  });

  const upstreamsScraped = async (): Promise<string[]> =>
    (await promQuery(`traceway_upstream_backend_up{job="${job}"}`))
      .map((s) => s.metric["traceway_upstream"] ?? "")
      .sort();

  it("takes its gauges out of the scrape; an upstream added again is observed again", async () => {
    await waitFor(async () => (await upstreamsScraped()).join() === "api,old", {
      what: "both upstreams' backend_up in Prometheus",
      timeoutMs: 20_000,
      intervalMs: 250,
    });

    lb.reload(config({ api: a.url }));
    observations.sync();
    await waitFor(async () => (await upstreamsScraped()).join() === "api", {
      what: "the removed upstream's series to go stale in Prometheus",
      timeoutMs: 20_000,
      intervalMs: 250,
    });
    const own = await (await fetch(telemetry.metricsUrl!)).text();
    assert.doesNotMatch(own, /traceway_upstream="old"/, "the exporter no longer reports it");

    lb.reload(config({ api: a.url, old: b.url }));
    observations.sync();
    await waitFor(async () => (await upstreamsScraped()).join() === "api,old", {
      what: "the re-added upstream's backend_up in Prometheus",
      timeoutMs: 20_000,
      intervalMs: 250,
    });
  });
});
