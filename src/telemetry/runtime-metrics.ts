import type { Histogram, Meter, MeterProvider, MetricOptions } from "@opentelemetry/api";
import { HostMetrics } from "@opentelemetry/host-metrics";
import { RuntimeNodeInstrumentation } from "@opentelemetry/instrumentation-runtime-node";

/** The GC pause histogram's name, as OpenTelemetry's runtime instrumentation records it. */
export const METRIC_V8JS_GC_DURATION = "v8js.gc.duration";
/**
 * GC pause buckets in seconds: fine where pauses live (ms), and 2 s as a bucket edge so the seed's
 * "a single pause > 2 s" alert can be written: `increase(v8js_gc_duration_seconds_count[1m]) >
 * increase(v8js_gc_duration_seconds_bucket{le="2"}[1m])`. The instrumentation's own buckets stop at 2.5.
 */
export const GC_DURATION_BUCKETS_S = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10];
/**
 * The meters (`otel_scope_name`) the runtime series come from. They describe one process: where
 * several processes serve one instance, their points must stay apart per process, never be added
 * up (a sum of event-loop delay percentiles or utilizations means nothing).
 */
export const RUNTIME_METER_SCOPES: readonly string[] = [
  "@opentelemetry/instrumentation-runtime-node",
  "@opentelemetry/host-metrics",
];
/** Event-loop delay sampling resolution (ms), the instrumentation's default. */
const EVENT_LOOP_PRECISION_MS = 10;

/**
 * The same provider, except that the GC histogram is created with {@link GC_DURATION_BUCKETS_S}
 * as its advice. An SDK View would do it too, but a provider with any View makes the
 * interceptors' default histograms fall back to the SDK's slower ones for everyone sharing it.
 */
function withGcBuckets(provider: MeterProvider): MeterProvider {
  return {
    getMeter: (name, version, options) => {
      const meter = provider.getMeter(name, version, options);
      return new Proxy(meter, {
        get(target, key, receiver): unknown {
          if (key !== "createHistogram") return Reflect.get(target, key, receiver) as unknown;
          return (histogram: string, opts?: MetricOptions): Histogram =>
            target.createHistogram(
              histogram,
              histogram === METRIC_V8JS_GC_DURATION
                ? { ...opts, advice: { explicitBucketBoundaries: GC_DURATION_BUCKETS_S } }
                : opts,
            );
        },
      }) satisfies Meter;
    },
  };
}

/**
 * The process's runtime metrics on traceway's own MeterProvider (not the global one), with
 * OpenTelemetry's instrumentations rather than hand-written collectors: event-loop delay and
 * utilization, GC pauses by kind, V8 heap spaces (`@opentelemetry/instrumentation-runtime-node`),
 * and process CPU time and resident memory (`@opentelemetry/host-metrics`, process groups only:
 * the host's own belong to a node exporter). Returns the function that stops them.
 */
export function startRuntimeMetrics(meterProvider: MeterProvider): () => void {
  const runtime = new RuntimeNodeInstrumentation({
    enabled: false,
    monitoringPrecision: EVENT_LOOP_PRECISION_MS,
  });
  runtime.setMeterProvider(withGcBuckets(meterProvider));
  runtime.enable();
  new HostMetrics({ meterProvider, metricGroups: ["process.cpu", "process.memory"] }).start();
  return () => runtime.disable();
}
