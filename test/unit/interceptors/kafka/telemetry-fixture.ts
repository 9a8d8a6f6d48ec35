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

export interface TestTelemetry {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  /** The provider's only reader, for tests that read every metric at once. */
  readonly reader: MetricReader;
  spans(): ReadableSpan[];
  metric(name: string): Promise<MetricData | undefined>;
  /** Every instrumentation scope that recorded `name`, with its data. */
  metricByScope(name: string): Promise<{ scope: string; data: MetricData }[]>;
  /** Counter / gauge value of the point whose attributes include `match`. */
  value(name: string, match: Attributes): Promise<number | undefined>;
  histogram(name: string, match: Attributes): Promise<Histogram | undefined>;
  shutdown(): Promise<void>;
}

let contextManagerEnabled = false;

/** Handlers must see the active span, as they would under the Node SDK. */
export function enableContextManager(): void {
  if (contextManagerEnabled) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerEnabled = true;
}

function matches(attributes: Attributes, match: Attributes): boolean {
  return Object.entries(match).every(([key, value]) => attributes[key] === value);
}

export function createTestTelemetry(): TestTelemetry {
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
  async function metricByScope(name: string): Promise<{ scope: string; data: MetricData }[]> {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics
        .filter((data) => data.descriptor.name === name)
        .map((data) => ({ scope: scope.scope.name, data })),
    );
  }
  return {
    tracerProvider,
    metricByScope,
    meterProvider,
    reader,
    spans: () => exporter.getFinishedSpans(),
    metric,
    async value(name, match) {
      const data = await metric(name);
      if (data === undefined || data.dataPointType === DataPointType.HISTOGRAM) return undefined;
      const point = (data.dataPoints as DataPoint<number>[]).find((p) => matches(p.attributes, match));
      return point?.value;
    },
    async histogram(name, match) {
      const data = await metric(name);
      if (data?.dataPointType !== DataPointType.HISTOGRAM) return undefined;
      return data.dataPoints.find((p) => matches(p.attributes, match))?.value;
    },
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
    },
  };
}
