import { ROOT_CONTEXT, SpanStatusCode } from "@opentelemetry/api";
import type { Context, Span } from "@opentelemetry/api";
import type { IHeaders, KafkaMessage } from "kafkajs";
import { ATTR_ERROR_TYPE } from "../semconv.ts";
import type { IdentityCell } from "./client-identity.ts";
import type { FetchLag } from "./fetch-lag.ts";
import { kafkaHeaderGetter } from "./header-carrier.ts";
import { errorTypeOf } from "./kafka-telemetry.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";
import { failedAttributes } from "./partition-telemetry.ts";
import type { PartitionTelemetry, PartitionTelemetryCache } from "./partition-telemetry.ts";

/** Per wrapped consumer: what every handler wrapper records into. */
export interface ConsumerRecorder {
  readonly telemetry: KafkaTelemetry;
  readonly fetchLag: FetchLag;
  readonly partitions: PartitionTelemetryCache;
  readonly partitionLabel: boolean;
  /** Group id and broker address, learnt as the consumer connects and joins its group. */
  readonly identity: IdentityCell;
}

/** The `guard` of the hot path: same report, but no closure to allocate per message. */
export { reportFailure as warnFailed } from "../internal/guard.ts";

function hasHeaders(headers: IHeaders | undefined): boolean {
  if (headers === undefined) return false;
  for (const key in headers) if (Object.hasOwn(headers, key)) return true;
  return false;
}

/**
 * The message's creation context carried in `headers`. Most messages of an untraced producer
 * have no headers at all: then there is nothing to extract and the propagators are not called.
 */
export function producerContext(telemetry: KafkaTelemetry, headers: IHeaders | undefined): Context {
  if (!hasHeaders(headers)) return ROOT_CONTEXT;
  return telemetry.propagator.extract(ROOT_CONTEXT, headers, kafkaHeaderGetter);
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

/**
 * Records everything known once a message's processing ended (successfully or not); `endMs` is
 * the telemetry clock's reading at that end.
 */
export function recordProcessed(
  telemetry: KafkaTelemetry,
  entry: PartitionTelemetry,
  message: KafkaMessage,
  durationMs: number,
  endMs: number,
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
  const producedAt = entry.timestamps.read(message.timestamp);
  if (Number.isFinite(producedAt) && producedAt > 0) {
    // Wall clock per message, not per batch: a batch-level reading would drop the time the
    // batch's earlier messages took from every later message's end-to-end latency.
    telemetry.e2eDuration.record(Math.max(0, telemetry.wallClock.at(endMs) - producedAt) / 1000, attributes);
  }
}
