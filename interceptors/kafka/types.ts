import type { MeterProvider, TextMapPropagator, TracerProvider } from "@opentelemetry/api";
import type { Clock } from "../clock.ts";
import type { PreAggregatedHistograms } from "../metrics/pre-aggregated-histograms.ts";

/** Options shared by {@link instrumentConsumer} and {@link instrumentProducer}. */
export interface KafkaInstrumentationOptions {
  /** Where spans go. Defaults to the global tracer provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. Defaults to the global meter provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
  /**
   * How trace context is written to and read from message headers.
   * Defaults to W3C `traceparent`/`tracestate` plus W3C `baggage`, independent of the global
   * propagator, so end-to-end traces work even when no SDK registered one.
   */
  readonly propagator?: TextMapPropagator;
  /** Recorded as `messaging.client.id`; kafkajs does not expose the client id on its objects. */
  readonly clientId?: string;
  /**
   * Record `messaging.kafka.message.key` on spans. Off by default: keys often carry user ids.
   */
  readonly captureMessageKey?: boolean;
  /**
   * When `@opentelemetry/instrumentation-kafkajs` has already wrapped this object, traceway
   * leaves spans, header injection and the semconv counters to it and keeps only its own
   * `traceway.*` metrics. Default `true`; set `false` to always record everything.
   */
  readonly deferToOtelInstrumentation?: boolean;
  /** Monotonic clock used for every duration. Defaults to `performance.now()`. */
  readonly clock?: Clock;
  /**
   * Where the duration histograms (`messaging.process.duration`,
   * `messaging.client.operation.duration`, `traceway.messaging.e2e.duration`) are aggregated.
   * Per message the SDK's own histograms cost an attribute hash (most of what metrics cost a
   * fast consumer), so by default they are pre-aggregated ({@link PreAggregatedHistograms}) and
   * attached to the `meterProvider`'s readers as a metric producer: no set-up needed. That
   * default falls back to the SDK's histograms when it cannot attach safely (a provider that is
   * not the SDK's `MeterProvider`, a View registered, a delta-temporality reader). Pass your own
   * `PreAggregatedHistograms` to share one you give your readers yourself, or `false` to always
   * use the SDK's histograms (so that Views apply).
   */
  readonly histograms?: PreAggregatedHistograms | false;
  /** Wall clock in epoch milliseconds, compared with message timestamps. Defaults to `Date.now`. */
  readonly now?: () => number;
}

/** Options of {@link instrumentProducer}. */
export interface KafkaProducerInstrumentationOptions extends KafkaInstrumentationOptions {
  /**
   * For a call sending more than one message, create a `create <topic>` PRODUCER span per
   * message and inject its context into that message, as the messaging semconv recommends for
   * batch sends; the one `send` span (CLIENT) links to them. Default `true`. With `false` the
   * `send` span (PRODUCER) is the creation context of every message of the call.
   */
  readonly createSpans?: boolean;
}

/** Options of {@link instrumentConsumer}. */
export interface KafkaConsumerInstrumentationOptions extends KafkaInstrumentationOptions {
  /**
   * The consumer's group id (`messaging.consumer.group.name`). kafkajs does not expose it on the
   * consumer; when omitted it is learnt from the first `consumer.group_join` event.
   */
  readonly groupId?: string;
  /**
   * Label per-message metrics with `messaging.destination.partition.id`. Default `true`;
   * turn off for topics with many partitions to bound series cardinality. Lag gauges always
   * carry the partition, since lag per partition is their point.
   */
  readonly partitionLabel?: boolean;
}

/** Burrow-like health of one partition of one consumer group, as published in the status gauge. */
export type PartitionStatus = "OK" | "WARN" | "STALL" | "STOP";

/** One row of the lag monitor's latest poll. */
export interface PartitionLag {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  /** Committed offset, or `undefined` when the group has none on this partition. */
  readonly committedOffset: number | undefined;
  /** Log start offset (`low`): the oldest offset still on the broker. */
  readonly lowOffset: number;
  /** High watermark (`high`): the offset the next produced message will get. */
  readonly highOffset: number;
  /** Messages behind: `high − max(committed, low)`, or `high − low` without a commit. */
  readonly lag: number;
  /** Estimated age in seconds of the oldest unconsumed message (see "Backlog (lag)" in docs/kafka.md). */
  readonly lagSeconds: number;
  readonly status: PartitionStatus;
}
