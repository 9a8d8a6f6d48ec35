import type { Histogram, Meter, MeterProvider, MetricOptions } from "@opentelemetry/api";
import { HostMetrics } from "@opentelemetry/host-metrics";
import { RuntimeNodeInstrumentation } from "@opentelemetry/instrumentation-runtime-node";

/**
 * GC pause buckets in seconds, with 2 s as an edge so the seed's "a single pause > 2 s" alert
 * (TracewayGcPauseLong, dashboards/alerts) can count pauses above it; the instrumentation's own
 * buckets jump from 1 to 2.5.
 */
const GC_DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];

/**
 * The provider with the GC histogram's buckets given as instrument advice. A View would do it too,
 * but any View makes traceway's interceptors fall back from their own histograms to the SDK's.
 */
function withGcBuckets(provider: MeterProvider): MeterProvider {
  return {
    getMeter: (name, version, options) =>
      new Proxy(provider.getMeter(name, version, options), {
        get(target, key, receiver): unknown {
          if (key !== "createHistogram") return Reflect.get(target, key, receiver) as unknown;
          return (histogram: string, opts?: MetricOptions): Histogram =>
            target.createHistogram(
              histogram,
              histogram === "v8js.gc.duration"
                ? { ...opts, advice: { explicitBucketBoundaries: GC_DURATION_BUCKETS_S } }
                : opts,
            );
        },
      }) satisfies Meter,
  };
}

/**
 * The worker's Node runtime series from OpenTelemetry's instrumentations, not hand-written
 * collectors: event-loop delay and utilization, GC pauses by kind and V8 heap (runtime-node), process
 * CPU time and resident memory (host-metrics). These fill the runtime dashboard's Node panels, as
 * traceway's own do. Returns the function that stops them.
 */
export function startRuntimeMetrics(meterProvider: MeterProvider): () => void {
  const runtime = new RuntimeNodeInstrumentation({ enabled: false, monitoringPrecision: 10 });
  runtime.setMeterProvider(withGcBuckets(meterProvider));
  runtime.enable();
  new HostMetrics({ meterProvider, metricGroups: ["process.cpu", "process.memory"] }).start();
  return () => runtime.disable();
}
