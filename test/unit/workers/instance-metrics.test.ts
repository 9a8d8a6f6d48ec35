import assert from "node:assert/strict";
import { test } from "node:test";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { AggregationTemporality, DataPointType } from "@opentelemetry/sdk-metrics";
import type { MetricData, ScopeMetrics } from "@opentelemetry/sdk-metrics";
import { InstanceMetrics, type WorkerMetrics } from "../../../src/workers/instance-metrics.ts";
import { RUNTIME_METER_SCOPES } from "../../../src/telemetry/runtime-metrics.ts";

const RUNTIME = RUNTIME_METER_SCOPES[0]!;
const TRACEWAY = "traceway";

/** A monotonic sum `name` with one point of `value`. */
function counter(name: string, value: number): MetricData {
  return {
    descriptor: { name, description: "", unit: "", valueType: 1 },
    dataPointType: DataPointType.SUM,
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    isMonotonic: true,
    dataPoints: [{ startTime: [0, 0], endTime: [1, 0], attributes: {}, value }],
  };
}

/** One process: `requests` in traceway's scope, `cpu` in a runtime scope. */
function processMetrics(requests: number, cpu: number): ScopeMetrics[] {
  return [
    { scope: { name: TRACEWAY }, metrics: [counter("requests", requests)] },
    { scope: { name: RUNTIME }, metrics: [counter("cpu", cpu)] },
  ];
}

/** Every point of `name`: its `worker` attribute (or "-") and value, sorted. */
function points(scopes: readonly ScopeMetrics[], name: string): [string, number][] {
  return scopes
    .flatMap((s) => s.metrics)
    .filter((m) => m.descriptor.name === name)
    .flatMap((m) =>
      m.dataPoints.map((p): [string, number] => [
        (p.attributes["worker"] as string | undefined) ?? "-",
        p.value as number,
      ]),
    )
    .sort(([a], [b]) => a.localeCompare(b));
}

test("runtime series stay one per process (worker slot or primary); traceway's are added up; a dead worker's runtime series go", async () => {
  let workers = new Map<number, WorkerMetrics>([
    [11, { slot: 1, metrics: processMetrics(5, 0.5) }],
    [12, { slot: 2, metrics: processMetrics(7, 0.7) }],
  ]);
  const own = {
    collect: () =>
      Promise.resolve({
        resourceMetrics: { resource: resourceFromAttributes({}), scopeMetrics: processMetrics(0, 0.1) },
        errors: [],
      }),
  };
  const instance = new InstanceMetrics(own, { collect: () => Promise.resolve(workers) });

  const first = (await instance.collect()).resourceMetrics.scopeMetrics;
  assert.deepEqual(points(first, "requests"), [["-", 12]]);
  assert.deepEqual(points(first, "cpu"), [
    ["1", 0.5],
    ["2", 0.7],
    ["primary", 0.1],
  ]);

  // Worker 11 dies; its replacement (id 13) takes slot 1 and starts from zero.
  instance.retire(11);
  workers = new Map([
    [12, { slot: 2, metrics: processMetrics(9, 0.9) }],
    [13, { slot: 1, metrics: processMetrics(1, 0.05) }],
  ]);
  const second = (await instance.collect()).resourceMetrics.scopeMetrics;
  assert.deepEqual(points(second, "requests"), [["-", 5 + 9 + 1]], "the dead worker's requests still count");
  assert.deepEqual(points(second, "cpu"), [
    ["1", 0.05],
    ["2", 0.9],
    ["primary", 0.1],
  ]);
});
