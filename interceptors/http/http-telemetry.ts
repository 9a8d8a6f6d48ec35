import { metrics, trace } from "@opentelemetry/api";
import type { TextMapPropagator, Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { systemClock } from "../clock.ts";
import type { Clock } from "../clock.ts";
import { HTTP_DURATION_BUCKETS_S } from "../internal/duration-buckets.ts";
import { durationHistogram } from "../internal/duration-histogram.ts";
import type { DurationHistogram } from "../internal/duration-histogram.ts";
import { knownMethods } from "../internal/http-method.ts";
import { METRIC_HTTP_CLIENT_REQUEST_DURATION, METRIC_HTTP_SERVER_REQUEST_DURATION } from "../semconv.ts";
import { AttributeSets } from "./attribute-sets.ts";
import { QueryRedactor } from "./query-redaction.ts";
import type { HttpInstrumentationOptions } from "./types.ts";

export const INSTRUMENTATION_SCOPE = "traceway/interceptors/http";

/** What the HTTP interceptors record with, resolved once per interceptor, never per request. */
export interface HttpTelemetry {
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  readonly clock: Clock;
  readonly serverDuration: DurationHistogram;
  readonly clientDuration: DurationHistogram;
  /**
   * The tracer's sampler is known to be traceway's own: parent-based (default delegates) over a
   * trace-id ratio. It reads no span attributes, so they are set only on spans it records; and it
   * never samples a child of an unsampled parent, so a client call there makes no span and passes
   * the parent's context on. Unknown for a caller's provider, so false there.
   */
  readonly ownSampler: boolean;
  /** `http.server.request.duration` label sets by (extra, method, route, status, error type, scheme, version). */
  readonly serverPoints: AttributeSets;
  /** `http.client.request.duration` label sets by (series, method, status, error type, -, -, -). */
  readonly clientPoints: AttributeSets;
  /** Methods kept as they are; others are `_OTHER` (`OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS`). */
  readonly knownMethods: ReadonlySet<string>;
  /** Scrubs sensitive query values from `url.query` and `url.full`. */
  readonly redactor: QueryRedactor;
}

const defaultPropagator = new W3CTraceContextPropagator();

export function createHttpTelemetry(options: HttpInstrumentationOptions, ownSampler = false): HttpTelemetry {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  return {
    tracer,
    propagator: options.propagator ?? defaultPropagator,
    clock: options.clock ?? systemClock,
    serverDuration: durationHistogram(meter, INSTRUMENTATION_SCOPE, options.histograms, {
      name: METRIC_HTTP_SERVER_REQUEST_DURATION,
      description: "Duration of HTTP server requests, from the request to the end of the response.",
      unit: "s",
      boundaries: HTTP_DURATION_BUCKETS_S,
    }),
    clientDuration: durationHistogram(meter, INSTRUMENTATION_SCOPE, options.histograms, {
      name: METRIC_HTTP_CLIENT_REQUEST_DURATION,
      description:
        "Duration of outbound HTTP requests (one point per upstream attempt), until the response headers.",
      unit: "s",
      boundaries: HTTP_DURATION_BUCKETS_S,
    }),
    ownSampler,
    serverPoints: new AttributeSets(),
    clientPoints: new AttributeSets(),
    knownMethods: knownMethods(),
    redactor: new QueryRedactor(options.redactedQueryParameters),
  };
}
