import { metrics, trace } from "@opentelemetry/api";
import type { Counter, Meter, MeterProvider, TextMapPropagator, Tracer } from "@opentelemetry/api";
import { CompositePropagator, W3CBaggagePropagator, W3CTraceContextPropagator } from "@opentelemetry/core";
import { systemClock } from "../clock.ts";
import type { Clock } from "../clock.ts";
import { E2E_DURATION_BUCKETS_S, PROCESS_DURATION_BUCKETS_S } from "../internal/duration-buckets.ts";
import { durationHistogram } from "../internal/duration-histogram.ts";
import type { DurationHistogram } from "../internal/duration-histogram.ts";
import { errorTypeOf } from "../internal/guard.ts";
import { KnownSampler } from "../internal/known-sampler.ts";
import { defaultHistograms } from "../metrics/default-histograms.ts";
import type { PreAggregatedHistograms } from "../metrics/pre-aggregated-histograms.ts";
import {
  ATTR_ERROR_TYPE,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
  METRIC_TRACEWAY_KAFKA_CONSUMER_EVENTS,
  METRIC_TRACEWAY_MESSAGING_E2E_DURATION,
  METRIC_TRACEWAY_MESSAGING_PROCESS_ERRORS,
} from "../semconv.ts";
import type { KafkaInstrumentationOptions } from "./types.ts";

export const INSTRUMENTATION_SCOPE = "traceway/interceptors/kafka";

// One copy each, shared with the HTTP interceptors (see ../internal/).
export { E2E_DURATION_BUCKETS_S, PROCESS_DURATION_BUCKETS_S } from "../internal/duration-buckets.ts";
export { errorTypeOf, guard } from "../internal/guard.ts";

/** The buckets the messaging semconv recommends for `messaging.client.operation.duration`, in seconds. */
export const OPERATION_DURATION_BUCKETS_S = PROCESS_DURATION_BUCKETS_S;

/** Everything a producer or consumer wrapper records with, created once per wrapped object. */
export interface KafkaTelemetry {
  readonly tracer: Tracer;
  /** What the tracer's sampler is known to do, so unsampled spans can be skipped up front. */
  readonly sampler: KnownSampler;
  readonly meter: Meter;
  readonly propagator: TextMapPropagator;
  readonly clock: Clock;
  readonly now: () => number;
  /** Epoch ms at a reading of `clock`, for end-to-end latency. */
  readonly wallClock: WallClock;
  /** Wall-clock ms minus clock ms, taken once, so span times and metric durations agree. */
  readonly epochOffsetMs: number;
  readonly clientId: string | undefined;
  readonly captureMessageKey: boolean;
  /** `@opentelemetry/instrumentation-kafkajs` owns spans, headers and semconv counters. */
  readonly deferToOtel: boolean;
  readonly processDuration: DurationHistogram;
  /** `messaging.client.operation.duration`: a send call, or one of kafkajs' fetches (`poll`). */
  readonly operationDuration: DurationHistogram;
  readonly sentMessages: Counter;
  readonly processErrors: Counter;
  readonly e2eDuration: DurationHistogram;
  readonly consumerEvents: Counter;
}

const defaultPropagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

/**
 * Where the duration histograms go: the caller's `histograms`; with none given, the meter
 * provider's shared pre-aggregated set when it can be attached to the provider's readers; with
 * `false`, or when it cannot, the provider's own histograms.
 */
function histogramsFor(
  options: KafkaInstrumentationOptions,
  meterProvider: MeterProvider,
): PreAggregatedHistograms | undefined {
  if (options.histograms === false) return undefined;
  return options.histograms ?? defaultHistograms(meterProvider);
}

export function createKafkaTelemetry(
  options: KafkaInstrumentationOptions,
  deferToOtel: boolean,
): KafkaTelemetry {
  const tracerProvider = options.tracerProvider ?? trace.getTracerProvider();
  const tracer = tracerProvider.getTracer(INSTRUMENTATION_SCOPE);
  const meterProvider = options.meterProvider ?? metrics.getMeterProvider();
  const meter = meterProvider.getMeter(INSTRUMENTATION_SCOPE);
  const histograms = histogramsFor(options, meterProvider);
  const clock = options.clock ?? systemClock;
  const now = options.now ?? Date.now;
  return {
    tracer,
    sampler: new KnownSampler(tracerProvider, INSTRUMENTATION_SCOPE),
    meter,
    propagator: options.propagator ?? defaultPropagator,
    clock,
    now,
    wallClock: new WallClock(now, options.clock === undefined && options.now === undefined),
    epochOffsetMs: now() - clock.now(),
    clientId: options.clientId,
    captureMessageKey: options.captureMessageKey ?? false,
    deferToOtel,
    processDuration: durationHistogram(meter, INSTRUMENTATION_SCOPE, histograms, {
      name: METRIC_MESSAGING_PROCESS_DURATION,
      description: "Time the application's handler took to process one message.",
      unit: "s",
      boundaries: PROCESS_DURATION_BUCKETS_S,
    }),
    operationDuration: durationHistogram(meter, INSTRUMENTATION_SCOPE, histograms, {
      name: METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
      description: "Duration of a send call, or of one kafkajs fetch (poll) from a broker.",
      unit: "s",
      boundaries: OPERATION_DURATION_BUCKETS_S,
    }),
    sentMessages: meter.createCounter(METRIC_MESSAGING_CLIENT_SENT_MESSAGES, {
      description: "Messages the producer attempted to send (error.type set when the send failed).",
      unit: "{message}",
    }),
    processErrors: meter.createCounter(METRIC_TRACEWAY_MESSAGING_PROCESS_ERRORS, {
      description: "Messages whose handler threw, by topic and error.type.",
      unit: "{message}",
    }),
    e2eDuration: durationHistogram(meter, INSTRUMENTATION_SCOPE, histograms, {
      name: METRIC_TRACEWAY_MESSAGING_E2E_DURATION,
      description: "From the message's Kafka timestamp to the end of its successful processing.",
      unit: "s",
      boundaries: E2E_DURATION_BUCKETS_S,
    }),
    consumerEvents: meter.createCounter(METRIC_TRACEWAY_KAFKA_CONSUMER_EVENTS, {
      description: "kafkajs consumer lifecycle events (rebalancing, group_join, crash, ...).",
      unit: "{event}",
    }),
  };
}

/** How often the system clock's offset to the monotonic one is re-read (an NTP step shows after this). */
const WALL_CLOCK_RESYNC_MS = 1000;

/**
 * Epoch milliseconds at a reading of the monotonic clock. With the default clocks it adds an
 * offset re-read at most once a second instead of calling `Date.now()` per message (one native
 * call of three on the per-message path); with a clock or `now` of the caller's, it asks `now`.
 */
export class WallClock {
  readonly #now: () => number;
  readonly #derive: boolean;
  #offsetMs = 0;
  #syncedAtMs = Number.NEGATIVE_INFINITY;

  constructor(now: () => number, derive: boolean) {
    this.#now = now;
    this.#derive = derive;
  }

  at(clockMs: number): number {
    if (!this.#derive) return this.#now();
    const sinceSync = clockMs - this.#syncedAtMs;
    if (!(sinceSync >= 0 && sinceSync < WALL_CLOCK_RESYNC_MS)) {
      this.#offsetMs = this.#now() - clockMs;
      this.#syncedAtMs = clockMs;
    }
    return this.#offsetMs + clockMs;
  }
}

/** Converts a reading of the telemetry clock into an epoch-ms span time. */
export function spanTime(telemetry: KafkaTelemetry, clockMs: number): number {
  return telemetry.epochOffsetMs + clockMs;
}

/** A thrown value, boxed so that `throw undefined` still counts as a failure. */
export interface Failure {
  readonly error: unknown;
}

export function withErrorType(
  attributes: Record<string, string | number>,
  failure: Failure | undefined,
): Record<string, string | number> {
  return failure === undefined
    ? attributes
    : { ...attributes, [ATTR_ERROR_TYPE]: errorTypeOf(failure.error) };
}
