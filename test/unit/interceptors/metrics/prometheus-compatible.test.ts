import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { PreAggregatedHistograms, prometheusCompatibleHandler } from "../../../../interceptors/index.ts";

// Whatever an application registers gets the rule's names, not only traceway's own instruments:
// SDK instruments of every kind and the pre-aggregated histograms alike.
describe("prometheusCompatibleHandler", () => {
  const histograms = new PreAggregatedHistograms();
  const exporter = new PrometheusExporter({ preventServerStart: true, metricProducers: [histograms] });
  const meterProvider = new MeterProvider({ readers: [exporter] });
  const server = createServer(prometheusCompatibleHandler(exporter));
  let url: string;

  before(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
    const meter = meterProvider.getMeter("app");
    meter.createCounter("app.cache.evictions", { unit: "{eviction}" }).add(2);
    meter.createCounter("app.network.io", { unit: "By" }).add(512);
    meter.createUpDownCounter("app.jobs.active", { unit: "{job}" }).add(3);
    meter.createObservableGauge("app.memory.utilization", { unit: "1" }).addCallback((r) => r.observe(0.5));
    meter.createHistogram("app.job.duration", { unit: "ms" }).record(12);
    histograms
      .histogram("app.request.duration", { scope: "app", description: "d", unit: "s", boundaries: [1] })
      .record(0.5, {});
  });
  after(async () => {
    server.close();
    await meterProvider.shutdown();
  });

  it("serves every instrument under its compatibility name, with the unit word as # UNIT", async () => {
    const res = await fetch(url);
    assert.equal(res.headers.get("content-type"), "text/plain; version=0.0.4; charset=utf-8");
    const text = await res.text();
    const names = new Set([...text.matchAll(/^([a-z_]+)(?:\{| )/gm)].map((m) => m[1]));
    for (const name of [
      "app_cache_evictions_total",
      "app_network_io_bytes_total",
      "app_jobs_active",
      "app_memory_utilization_ratio",
      "app_job_duration_milliseconds_bucket",
      "app_request_duration_seconds_bucket",
    ]) {
      assert.ok(names.has(name), `${name} in\n${text}`);
    }
    assert.match(text, /^# UNIT app_network_io_bytes_total bytes$/m);
    assert.match(text, /^# UNIT app_memory_utilization_ratio ratio$/m);
    assert.doesNotMatch(text, /^# UNIT app_cache_evictions_total/m);
    assert.match(text, /^target_info\{/m);
  });

  it("answers HEAD with the headers only", async () => {
    const res = await fetch(url, { method: "HEAD" });
    assert.equal(res.status, 200);
    assert.equal(await res.text(), "");
  });
});
