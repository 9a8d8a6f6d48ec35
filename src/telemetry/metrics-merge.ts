import type { Attributes, HrTime } from "@opentelemetry/api";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type {
  DataPoint,
  ExponentialHistogram,
  Histogram,
  MetricData,
  ResourceMetrics,
  ScopeMetrics,
} from "@opentelemetry/sdk-metrics";

/**
 * One process's collection without its `Resource` (the receiving process's resource stands for the
 * instance): plain data, so it crosses a process boundary by structured clone.
 */
export type ProcessMetrics = readonly ScopeMetrics[];

/** The scopes of `metrics` as plain data ({@link ProcessMetrics}). */
export function processMetricsOf(metrics: ResourceMetrics): ProcessMetrics {
  return metrics.scopeMetrics.map((s) => ({
    scope: {
      name: s.scope.name,
      ...(s.scope.version === undefined ? {} : { version: s.scope.version }),
      ...(s.scope.schemaUrl === undefined ? {} : { schemaUrl: s.scope.schemaUrl }),
    },
    metrics: s.metrics,
  }));
}

/**
 * The series that keep counting after their process is gone: monotonic sums and histograms, whose
 * cumulative totals a scrape must never see fall (Prometheus would read a counter reset). Gauges
 * and up-down counters describe a process that no longer exists and are dropped.
 */
export function cumulativePart(metrics: ProcessMetrics): ProcessMetrics {
  return metrics
    .map((s) => ({
      scope: s.scope,
      metrics: s.metrics.filter(
        (m) =>
          m.dataPointType !== DataPointType.GAUGE &&
          !(m.dataPointType === DataPointType.SUM && !m.isMonotonic),
      ),
    }))
    .filter((s) => s.metrics.length > 0);
}

/**
 * The attribute that names the process of a per-process series in a multi-process instance's
 * scrape: a worker's slot number, or `primary`. Bounded by `server.workers` (at most 256 + 1).
 */
export const PROCESS_ATTRIBUTE = "worker";

/**
 * `metrics` with every point of the scopes in `perProcess` given `worker: label`
 * ({@link PROCESS_ATTRIBUTE}). Those are series of one process (its event loop, GC, heap, CPU):
 * a sum of p99s or of heap sizes across processes means nothing, so with the label
 * {@link mergeProcessMetrics} keeps one series per process instead of adding them up.
 */
export function labelProcessSeries(
  metrics: ProcessMetrics,
  perProcess: readonly string[],
  label: string,
): ProcessMetrics {
  return metrics.map((s) =>
    perProcess.includes(s.scope.name)
      ? {
          scope: s.scope,
          metrics: s.metrics.map(
            (m) =>
              ({
                ...m,
                dataPoints: (m.dataPoints as DataPoint<unknown>[]).map((p) => ({
                  ...p,
                  attributes: { ...p.attributes, [PROCESS_ATTRIBUTE]: label },
                })),
              }) as MetricData,
          ),
        }
      : s,
  );
}

/** `metrics` without the scopes named in `scopes`. */
export function withoutScopes(metrics: ProcessMetrics, scopes: readonly string[]): ProcessMetrics {
  return metrics.filter((s) => !scopes.includes(s.scope.name));
}

interface MergedMetric {
  readonly first: MetricData;
  readonly points: Map<string, DataPoint<unknown>>;
}

/**
 * Adds up collections from several processes of one instance: points of the same scope, metric
 * and attribute set are merged — sums and gauges added, histograms added bucket by bucket (with
 * min of mins and max of maxes), the earliest start and latest end time kept. Adding gauges is
 * right because a process reports a gauge only when its value is its share of the instance's
 * (a worker's queue length); values that are one per instance (a backend's health, discovery
 * state) are reported by one process only. Points that cannot be added (histograms with different
 * bucket boundaries, an instrument of the same name but another type) keep the first process's
 * value, and each is named in `errors`.
 */
export function mergeProcessMetrics(sources: readonly ProcessMetrics[]): {
  scopeMetrics: ScopeMetrics[];
  errors: string[];
} {
  const errors: string[] = [];
  const scopes = new Map<string, { scope: ScopeMetrics["scope"]; metrics: Map<string, MergedMetric> }>();
  for (const source of sources) {
    for (const { scope, metrics } of source) {
      const scopeKey = `${scope.name}\0${scope.version ?? ""}`;
      let merged = scopes.get(scopeKey);
      if (!merged) scopes.set(scopeKey, (merged = { scope, metrics: new Map() }));
      for (const metric of metrics) mergeMetric(merged.metrics, metric, errors);
    }
  }
  const scopeMetrics: ScopeMetrics[] = [];
  for (const { scope, metrics } of scopes.values()) {
    scopeMetrics.push({
      scope,
      metrics: [...metrics.values()].map(
        ({ first, points }) => ({ ...first, dataPoints: [...points.values()] }) as MetricData,
      ),
    });
  }
  return { scopeMetrics, errors };
}

function mergeMetric(metrics: Map<string, MergedMetric>, metric: MetricData, errors: string[]): void {
  const name = metric.descriptor.name;
  const merged = metrics.get(name);
  if (!merged) {
    const points = new Map<string, DataPoint<unknown>>();
    for (const p of metric.dataPoints as DataPoint<unknown>[])
      points.set(attributesKey(p.attributes), copy(p));
    metrics.set(name, { first: metric, points });
    return;
  }
  if (merged.first.dataPointType !== metric.dataPointType) {
    errors.push(`${name}: reported as different instrument types by different processes; kept the first`);
    return;
  }
  for (const point of metric.dataPoints as DataPoint<unknown>[]) {
    const key = attributesKey(point.attributes);
    const existing = merged.points.get(key);
    if (!existing) {
      merged.points.set(key, copy(point));
      continue;
    }
    const value = addValues(metric.dataPointType, existing.value, point.value);
    if (value === undefined) {
      errors.push(`${name}: histograms with different buckets for ${key}; kept the first process's`);
      continue;
    }
    merged.points.set(key, {
      startTime: earlier(existing.startTime, point.startTime),
      endTime: later(existing.endTime, point.endTime),
      attributes: existing.attributes,
      value,
    });
  }
}

/** The value as a fresh object, so adding into it never changes a source's collection. */
function copy(point: DataPoint<unknown>): DataPoint<unknown> {
  return { ...point, value: structuredClone(point.value) };
}

function addValues(type: DataPointType, a: unknown, b: unknown): unknown {
  switch (type) {
    case DataPointType.SUM:
    case DataPointType.GAUGE:
      return (a as number) + (b as number);
    case DataPointType.HISTOGRAM:
      return addHistograms(a as Histogram, b as Histogram);
    case DataPointType.EXPONENTIAL_HISTOGRAM:
      return addExponentialHistograms(a as ExponentialHistogram, b as ExponentialHistogram);
  }
}

function addHistograms(a: Histogram, b: Histogram): Histogram | undefined {
  const bounds = a.buckets.boundaries;
  if (bounds.length !== b.buckets.boundaries.length || bounds.some((x, i) => x !== b.buckets.boundaries[i]))
    return undefined;
  return {
    buckets: { boundaries: bounds, counts: a.buckets.counts.map((c, i) => c + (b.buckets.counts[i] ?? 0)) },
    count: a.count + b.count,
    ...optional("sum", a.sum, b.sum, (x, y) => x + y),
    ...optional("min", a.min, b.min, Math.min),
    ...optional("max", a.max, b.max, Math.max),
  };
}

/** Same-scale exponential histograms only (traceway records none; a plain SDK View could). */
function addExponentialHistograms(
  a: ExponentialHistogram,
  b: ExponentialHistogram,
): ExponentialHistogram | undefined {
  if (a.scale !== b.scale) return undefined;
  return {
    count: a.count + b.count,
    scale: a.scale,
    zeroCount: a.zeroCount + b.zeroCount,
    positive: addBuckets(a.positive, b.positive),
    negative: addBuckets(a.negative, b.negative),
    ...optional("sum", a.sum, b.sum, (x, y) => x + y),
    ...optional("min", a.min, b.min, Math.min),
    ...optional("max", a.max, b.max, Math.max),
  };
}

function addBuckets(
  a: { offset: number; bucketCounts: number[] },
  b: { offset: number; bucketCounts: number[] },
): { offset: number; bucketCounts: number[] } {
  if (a.bucketCounts.length === 0) return { offset: b.offset, bucketCounts: [...b.bucketCounts] };
  if (b.bucketCounts.length === 0) return { offset: a.offset, bucketCounts: [...a.bucketCounts] };
  const offset = Math.min(a.offset, b.offset);
  const end = Math.max(a.offset + a.bucketCounts.length, b.offset + b.bucketCounts.length);
  const counts = new Array<number>(end - offset).fill(0);
  a.bucketCounts.forEach((c, i) => (counts[a.offset - offset + i]! += c));
  b.bucketCounts.forEach((c, i) => (counts[b.offset - offset + i]! += c));
  return { offset, bucketCounts: counts };
}

/** `{ [key]: combine(a, b) }` when both are known, the known one when one is, nothing otherwise. */
function optional<K extends string>(
  key: K,
  a: number | undefined,
  b: number | undefined,
  combine: (x: number, y: number) => number,
): { [P in K]?: number } {
  if (a === undefined && b === undefined) return {};
  const value = a === undefined ? b : b === undefined ? a : combine(a, b);
  return { [key]: value } as { [P in K]?: number };
}

function earlier(a: HrTime, b: HrTime): HrTime {
  return a[0] < b[0] || (a[0] === b[0] && a[1] <= b[1]) ? a : b;
}

function later(a: HrTime, b: HrTime): HrTime {
  return earlier(a, b) === a ? b : a;
}

/** Attribute sets are equal whatever order their keys were written in. */
function attributesKey(attributes: Attributes): string {
  const keys = Object.keys(attributes).sort();
  return JSON.stringify(keys.map((k) => [k, attributes[k]]));
}
