import { SpanStatusCode } from "@opentelemetry/api";
import type { Attributes, Span } from "@opentelemetry/api";
import type { KafkaMessage } from "kafkajs";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_PROCESS,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import type { FetchLag } from "./fetch-lag.ts";
import { errorTypeOf, withErrorType } from "./kafka-telemetry.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";

/** Per wrapped consumer: what every handler wrapper records into. */
export interface ConsumerRecorder {
  readonly telemetry: KafkaTelemetry;
  readonly fetchLag: FetchLag;
  readonly partitionLabel: boolean;
  /** Resolved lazily: may only be known after the first group join. */
  groupId(): string | undefined;
}

function metricAttributes(
  recorder: ConsumerRecorder,
  topic: string,
  partition: number,
): Record<string, string | number> {
  const attributes: Record<string, string | number> = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_PROCESS,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: recorder.groupId() ?? "",
  };
  if (recorder.partitionLabel) attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(partition);
  return attributes;
}

/** Attributes of a `process <topic>` span. */
export function processSpanAttributes(
  recorder: ConsumerRecorder,
  topic: string,
  partition: number,
  message: KafkaMessage,
): Attributes {
  const { telemetry } = recorder;
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_PROCESS,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_PROCESS,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    [ATTR_MESSAGING_KAFKA_OFFSET]: Number(message.offset),
  };
  const group = recorder.groupId();
  if (group !== undefined) attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = group;
  if (telemetry.clientId !== undefined) attributes[ATTR_MESSAGING_CLIENT_ID] = telemetry.clientId;
  if (message.value !== null) attributes[ATTR_MESSAGING_MESSAGE_BODY_SIZE] = message.value.length;
  if (message.key !== null) {
    if (telemetry.captureMessageKey)
      attributes[ATTR_MESSAGING_KAFKA_MESSAGE_KEY] = message.key.toString("utf8");
    if (message.value === null) attributes[ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE] = true;
  }
  return attributes;
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
export function recordDelivered(
  recorder: ConsumerRecorder,
  topic: string,
  partition: number,
  count: number,
): void {
  if (recorder.telemetry.deferToOtel || count === 0) return;
  recorder.telemetry.consumedMessages.add(count, metricAttributes(recorder, topic, partition));
}

/** Records everything known once a message's processing ended (successfully or not). */
export function recordProcessed(
  recorder: ConsumerRecorder,
  topic: string,
  partition: number,
  message: KafkaMessage,
  durationMs: number,
  failure: Failure | undefined,
): void {
  const { telemetry } = recorder;
  const attributes = metricAttributes(recorder, topic, partition);
  if (!telemetry.deferToOtel) {
    telemetry.processDuration.record(durationMs / 1000, withErrorType(attributes, failure));
  }
  if (failure !== undefined) {
    telemetry.processErrors.add(1, withErrorType(attributes, failure));
    return;
  }
  recorder.fetchLag.onProcessed(topic, partition, message.offset);
  const producedAt = Number(message.timestamp);
  if (Number.isFinite(producedAt) && producedAt > 0) {
    telemetry.e2eDuration.record(Math.max(0, telemetry.now() - producedAt) / 1000, attributes);
  }
}
