import assert from "node:assert/strict";
import { test } from "node:test";
import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import { ManualClock } from "../../../src/shared/clock.ts";
import { DiscoveryMetrics } from "../../../src/telemetry/discovery-metrics.ts";

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

async function points(reader: PullReader, name: string): Promise<Array<[string, number]>> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) => m.dataPoints as DataPoint<number>[])
    .map((p): [string, number] => [Object.values(p.attributes).join(" "), p.value])
    .sort();
}

test("backends per upstream and source; a set from etcd zeroes the cached one", async () => {
  const reader = new PullReader();
  const clock = new ManualClock(1000);
  const m = new DiscoveryMetrics(new MeterProvider({ readers: [reader] }).getMeter("t"), clock);
  m.onUpdate({ upstream: "api", source: "cache", backends: 3 });
  m.onUpdate({ upstream: "web", source: "static", backends: 2 });
  m.onUpdate({ upstream: "api", source: "etcd", backends: 4 });
  assert.deepEqual(await points(reader, "traceway.discovery.backends"), [
    ["api cache", 0],
    ["api etcd", 4],
    ["web static", 2],
  ]);
  assert.deepEqual(await points(reader, "traceway.discovery.updates"), [
    ["api cache", 1],
    ["api etcd", 1],
    ["web static", 1],
  ]);
});

test("sync age, stale flag, errors by type and malformed values, only for sources that sync", async () => {
  const reader = new PullReader();
  const clock = new ManualClock(1000);
  const m = new DiscoveryMetrics(new MeterProvider({ readers: [reader] }).getMeter("t"), clock);
  m.onUpdate({ upstream: "web", source: "static", backends: 2 });
  m.onSync({ upstream: "api", source: "etcd" });
  clock.advance(2500);
  assert.deepEqual(await points(reader, "traceway.discovery.sync.age"), [["api etcd", 2.5]]);
  assert.deepEqual(await points(reader, "traceway.discovery.stale"), [["api etcd", 0]]);

  m.onError({ upstream: "api", source: "etcd", errorType: "unavailable" });
  m.onError({ upstream: "api", source: "etcd", errorType: "unavailable" });
  m.onError({ upstream: "api", source: "etcd", errorType: "compacted" });
  m.onStale({ upstream: "api", source: "etcd", stale: true });
  m.onMalformed({ upstream: "api", source: "etcd" });
  clock.advance(1000);
  assert.deepEqual(await points(reader, "traceway.discovery.stale"), [["api etcd", 1]]);
  assert.deepEqual(await points(reader, "traceway.discovery.sync.age"), [["api etcd", 3.5]]);
  assert.deepEqual(await points(reader, "traceway.discovery.errors"), [
    ["api etcd compacted", 1],
    ["api etcd unavailable", 2],
  ]);
  assert.deepEqual(await points(reader, "traceway.discovery.malformed_values"), [["api etcd", 1]]);

  m.onSync({ upstream: "api", source: "etcd" });
  m.onStale({ upstream: "api", source: "etcd", stale: false });
  assert.deepEqual(await points(reader, "traceway.discovery.sync.age"), [["api etcd", 0]]);
  assert.deepEqual(await points(reader, "traceway.discovery.stale"), [["api etcd", 0]]);
});
