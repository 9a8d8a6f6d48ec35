import { context } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { DataPointType, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import type { DataPoint, Histogram, MetricData } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";

/** A reader tests pull from, instead of exporting on a timer. */
export class PullMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** In-memory spans and pulled metrics for one test. */
export interface HttpTestTelemetry {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  readonly reader: PullMetricReader;
  spans(): ReadableSpan[];
  metric(name: string): Promise<MetricData | undefined>;
  /** Every point of a counter/gauge, with its attributes. */
  points(name: string): Promise<DataPoint<number>[]>;
  histogramPoints(name: string): Promise<DataPoint<Histogram>[]>;
  shutdown(): Promise<void>;
}

export function enableContextManager(): void {
  // Returns false (and keeps the first) when a manager is already registered.
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

export function createHttpTestTelemetry(): HttpTestTelemetry {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
  const reader = new PullMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  async function metric(name: string): Promise<MetricData | undefined> {
    const { resourceMetrics } = await reader.collect();
    for (const scope of resourceMetrics.scopeMetrics) {
      for (const data of scope.metrics) if (data.descriptor.name === name) return data;
    }
    return undefined;
  }
  return {
    tracerProvider,
    meterProvider,
    reader,
    spans: () => exporter.getFinishedSpans(),
    metric,
    async points(name) {
      const data = await metric(name);
      if (data === undefined || data.dataPointType === DataPointType.HISTOGRAM) return [];
      return data.dataPoints as DataPoint<number>[];
    },
    async histogramPoints(name) {
      const data = await metric(name);
      if (data?.dataPointType !== DataPointType.HISTOGRAM) return [];
      return data.dataPoints;
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}

/** The point whose attributes include every key/value of `match`. */
export function pointWith<T>(points: readonly DataPoint<T>[], match: Attributes): DataPoint<T> | undefined {
  return points.find((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v));
}

/** Index of the bucket (upper bound inclusive) a value falls in. */
export function bucketOf(histogram: Histogram, value: number): number {
  const i = histogram.buckets.boundaries.findIndex((b) => value <= b);
  return i === -1 ? histogram.buckets.boundaries.length : i;
}
