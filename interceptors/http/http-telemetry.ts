import { metrics, trace } from "@opentelemetry/api";
import type { Histogram, TextMapPropagator, Tracer } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { systemClock } from "../../src/shared/clock.ts";
import type { Clock } from "../../src/shared/clock.ts";
import { HTTP_DURATION_BUCKETS_S } from "../internal/duration-buckets.ts";
import { METRIC_HTTP_CLIENT_REQUEST_DURATION, METRIC_HTTP_SERVER_REQUEST_DURATION } from "../semconv.ts";
import type { HttpInstrumentationOptions } from "./types.ts";

export const INSTRUMENTATION_SCOPE = "traceway/interceptors/http";

/** What the HTTP interceptors record with, resolved once per interceptor, never per request. */
export interface HttpTelemetry {
  readonly tracer: Tracer;
  readonly propagator: TextMapPropagator;
  readonly clock: Clock;
  readonly serverDuration: Histogram;
  readonly clientDuration: Histogram;
}

const defaultPropagator = new W3CTraceContextPropagator();

export function createHttpTelemetry(options: HttpInstrumentationOptions): HttpTelemetry {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(INSTRUMENTATION_SCOPE);
  const meter = (options.meterProvider ?? metrics.getMeterProvider()).getMeter(INSTRUMENTATION_SCOPE);
  return {
    tracer,
    propagator: options.propagator ?? defaultPropagator,
    clock: options.clock ?? systemClock,
    serverDuration: meter.createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
      description: "Duration of HTTP server requests, from the request to the end of the response.",
      unit: "s",
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_S] },
    }),
    clientDuration: meter.createHistogram(METRIC_HTTP_CLIENT_REQUEST_DURATION, {
      description:
        "Duration of outbound HTTP requests (one point per upstream attempt), until the response headers.",
      unit: "s",
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_S] },
    }),
  };
}
