import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { DataPoint, Histogram, HistogramMetricData, MetricData } from "@opentelemetry/sdk-metrics";
import { PreAggregatedHistograms } from "../../../../interceptors/index.ts";
import { E2E_DURATION_BUCKETS_S } from "../../../../interceptors/internal/duration-buckets.ts";
import { PullMetricReader } from "../http/http-fixture.ts";

const SPEC = { scope: "test/scope", description: "d", unit: "s", boundaries: [0.1, 0.5, 1] } as const;

async function collected(histograms: PreAggregatedHistograms): Promise<HistogramMetricData[]> {
  const { resourceMetrics } = await histograms.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) => s.metrics) as HistogramMetricData[];
}

function only(points: readonly DataPoint<Histogram>[]): DataPoint<Histogram> {
  assert.equal(points.length, 1);
  return points[0]!;
}

describe("PreAggregatedHistograms", () => {
  test("buckets by inclusive upper bounds, with sum, count, min and max", async () => {
    const histograms = new PreAggregatedHistograms();
    const h = histograms.histogram("h", SPEC);
    const attributes = { route: "/a" };
    for (const v of [0.05, 0.1, 0.2, 0.5, 2]) h.record(v, attributes);
    const [metric] = await collected(histograms);
    const { value, attributes: labels } = only(metric!.dataPoints);
    assert.deepEqual(value.buckets, { boundaries: [0.1, 0.5, 1], counts: [2, 2, 0, 1] });
    assert.equal(value.count, 5);
    assert.ok(Math.abs((value.sum ?? 0) - 2.85) < 1e-12);
    assert.equal(value.min, 0.05);
    assert.equal(value.max, 2);
    assert.deepEqual(labels, attributes);
  });

  test("at, just under and just over every boundary of a long layout, a value lands where the SDK puts it", async () => {
    const boundaries = E2E_DURATION_BUCKETS_S;
    const histograms = new PreAggregatedHistograms();
    const h = histograms.histogram("e2e", { ...SPEC, boundaries });
    const expected = new Array<number>(boundaries.length + 1).fill(0);
    const values = [0, 1e-9, 1e9, ...boundaries.flatMap((b) => [b, b * (1 - 1e-12), b * (1 + 1e-12)])];
    for (const value of values) {
      h.record(value, {});
      // The SDK's rule: the first bucket whose (inclusive) upper bound the value does not exceed.
      const index = boundaries.findIndex((b) => value <= b);
      expected[index === -1 ? boundaries.length : index]! += 1;
    }
    const [metric] = await collected(histograms);
    assert.deepEqual(only(metric!.dataPoints).value.buckets.counts, expected);
  });

  test("equal label sets share a series whatever the object or key order; others do not", async () => {
    const histograms = new PreAggregatedHistograms();
    const h = histograms.histogram("h", SPEC);
    h.record(0.2, { a: "1", b: 2 });
    h.record(0.2, { b: 2, a: "1" });
    h.record(0.2, { a: "1", b: 3 });
    const [metric] = await collected(histograms);
    const counts = metric!.dataPoints.map((p) => [p.attributes["b"], p.value.count]);
    assert.deepEqual(counts.sort(), [
      [2, 2],
      [3, 1],
    ]);
  });

  test("drops negative and non-finite values, as the SDK histogram does", async () => {
    const histograms = new PreAggregatedHistograms();
    const h = histograms.histogram("h", SPEC);
    for (const v of [-1, Number.NaN, Number.POSITIVE_INFINITY]) h.record(v, {});
    assert.deepEqual(await collected(histograms), []);
  });

  test("beyond the cardinality limit, new label sets go to one otel.metric.overflow series", async () => {
    const histograms = new PreAggregatedHistograms({ cardinalityLimit: 2 });
    const h = histograms.histogram("h", SPEC);
    for (let i = 0; i < 5; i++) h.record(0.2, { i });
    const [metric] = await collected(histograms);
    const points = metric!.dataPoints.map((p) => [JSON.stringify(p.attributes), p.value.count]);
    assert.deepEqual(points, [
      ['{"i":0}', 1],
      ['{"i":1}', 1],
      ['{"otel.metric.overflow":true}', 3],
    ]);
  });

  test("a reader given it as a metric producer exports exactly what the SDK histogram would", async () => {
    const histograms = new PreAggregatedHistograms();
    const reader = new PullMetricReader({ metricProducers: [histograms] });
    const provider = new MeterProvider({ readers: [reader] });
    const sdk = provider.getMeter("test/scope").createHistogram("sdk_h", {
      unit: "s",
      advice: { explicitBucketBoundaries: [...SPEC.boundaries] },
    });
    const ours = histograms.histogram("ours_h", SPEC);
    const sets = [
      { route: "/a", status: 200 },
      { route: "/b", status: 503 },
    ];
    // A spread of values on, below and above every boundary, in both label sets.
    for (let i = 0; i < 500; i++) {
      const value = (i % 37) * 0.035;
      const attributes = sets[i % 2]!;
      sdk.record(value, attributes);
      ours.record(value, attributes);
    }
    const { resourceMetrics } = await reader.collect();
    const metrics: MetricData[] = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    const points = (name: string) =>
      (metrics.find((m) => m.descriptor.name === name) as HistogramMetricData).dataPoints
        .map((p) => ({ attributes: p.attributes, value: p.value }))
        .sort((x, y) => String(x.attributes["route"]).localeCompare(String(y.attributes["route"])));
    assert.deepEqual(points("ours_h"), points("sdk_h"));
    assert.equal(resourceMetrics.scopeMetrics.filter((s) => s.scope.name === "test/scope").length, 2);
    await provider.shutdown();
  });
});
