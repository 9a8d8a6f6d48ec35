import { ROOT_CONTEXT, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Context, Link, Span, SpanOptions } from "@opentelemetry/api";
import type { IHeaders, KafkaMessage } from "kafkajs";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
} from "../semconv.ts";
import type { FetchLag } from "./fetch-lag.ts";
import { kafkaHeaderGetter } from "./header-carrier.ts";
import { errorTypeOf, spanTime } from "./kafka-telemetry.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";
import { failedAttributes } from "./partition-telemetry.ts";
import type { PartitionTelemetry, PartitionTelemetryCache } from "./partition-telemetry.ts";

/** Per wrapped consumer: what every handler wrapper records into. */
export interface ConsumerRecorder {
  readonly telemetry: KafkaTelemetry;
  readonly fetchLag: FetchLag;
  readonly partitions: PartitionTelemetryCache;
  readonly partitionLabel: boolean;
  /** Resolved lazily: may only be known after the first group join. */
  groupId(): string | undefined;
}

/** The `guard` of the hot path: same report, but no closure to allocate per message. */
export { reportFailure as warnFailed } from "../internal/guard.ts";

function hasHeaders(headers: IHeaders | undefined): boolean {
  if (headers === undefined) return false;
  for (const key in headers) if (Object.hasOwn(headers, key)) return true;
  return false;
}

/**
 * The producer's context carried in `headers`. Most messages of an untraced producer have no
 * headers at all: then there is nothing to extract and the propagators are not called.
 */
export function producerContext(telemetry: KafkaTelemetry, headers: IHeaders | undefined): Context {
  if (!hasHeaders(headers)) return ROOT_CONTEXT;
  return telemetry.propagator.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
}

/**
 * Starts a `process <topic>` span. The sampler sees the message-independent attributes (cached
 * per partition); the per-message ones (offset, body size, key, tombstone) are only computed
 * when the span records, so an unsampled message costs the SDK's sampling decision and no more.
 */
export function startProcessSpan(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  message: KafkaMessage,
  startMs: number,
  parent: Context,
  links: Link[] | undefined,
): Span {
  const options: SpanOptions = {
    kind: SpanKind.CONSUMER,
    startTime: spanTime(telemetry, startMs),
    attributes: entry.spanAttributes,
  };
  if (links !== undefined) options.links = links;
  const span = telemetry.tracer.startSpan(entry.spanName, options, parent);
  if (!span.isRecording()) return span;
  span.setAttribute(ATTR_MESSAGING_KAFKA_OFFSET, Number(message.offset));
  if (message.value !== null) span.setAttribute(ATTR_MESSAGING_MESSAGE_BODY_SIZE, message.value.length);
  if (message.key !== null) {
    if (telemetry.captureMessageKey)
      span.setAttribute(ATTR_MESSAGING_KAFKA_MESSAGE_KEY, message.key.toString("utf8"));
    if (message.value === null) span.setAttribute(ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE, true);
  }
  return span;
}

/** Marks a span failed the way the semconv asks: `error.type`, ERROR status, the exception. */
export function failSpan(span: Span, failure: Failure): void {
  span.setAttribute(ATTR_ERROR_TYPE, errorTypeOf(failure.error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: messageOf(failure.error) });
  if (failure.error instanceof Error) span.recordException(failure.error);
}

function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === "string" ? error : "";
}

/** Counts messages handed to the application's handler. */
export function recordDelivered(entry: PartitionTelemetry, count: number): void {
  if (entry.consumed !== undefined) entry.consumed.count += count;
}

/** Records everything known once a message's processing ended (successfully or not). */
export function recordProcessed(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  message: KafkaMessage,
  durationMs: number,
  failure: Failure | undefined,
): void {
  if (failure !== undefined) {
    const attributes = failedAttributes(entry, failure.error);
    if (!telemetry.deferToOtel) telemetry.processDuration.record(durationMs / 1000, attributes);
    telemetry.processErrors.add(1, attributes);
    return;
  }
  const attributes = entry.metricAttributes;
  if (!telemetry.deferToOtel) telemetry.processDuration.record(durationMs / 1000, attributes);
  entry.position.lastProcessedOffset = message.offset;
  const producedAt = Number(message.timestamp);
  if (Number.isFinite(producedAt) && producedAt > 0) {
    // Wall clock per message, not per batch: a batch-level reading would drop the time the
    // batch's earlier messages took from every later message's end-to-end latency.
    telemetry.e2eDuration.record(Math.max(0, telemetry.now() - producedAt) / 1000, attributes);
  }
}
