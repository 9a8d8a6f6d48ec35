import { SpanKind } from "@opentelemetry/api";
import type { Attributes, SpanOptions, TimeInput } from "@opentelemetry/api";
import type { Message } from "kafkajs";
import {
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_OPERATION_TYPE_CREATE,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { withIdentity } from "./client-identity.ts";
import type { ProducerTelemetry } from "./producer-send.ts";

function byteLength(value: Message["value"]): number | undefined {
  if (value === null) return undefined;
  return typeof value === "string" ? Buffer.byteLength(value) : value.length;
}

/** Adds what a span about one message says of it: partition (when chosen), size, key, tombstone. */
export function addMessageFacts(attributes: Attributes, producer: ProducerTelemetry, message: Message): void {
  if (message.partition !== undefined)
    attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(message.partition);
  const size = byteLength(message.value);
  if (size !== undefined) attributes[ATTR_MESSAGING_MESSAGE_BODY_SIZE] = size;
  if (message.key !== undefined && message.key !== null) {
    if (producer.telemetry.captureMessageKey) attributes[ATTR_KAFKA_MESSAGE_KEY] = message.key.toString();
    if (message.value === null) attributes[ATTR_KAFKA_MESSAGE_TOMBSTONE] = true;
  }
}

/** Attributes of a message's `create <topic>` span. */
export function messageAttributes(producer: ProducerTelemetry, topic: string, message: Message): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_CREATE,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_CREATE,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
  };
  withIdentity(attributes, producer.identity.current, false);
  addMessageFacts(attributes, producer, message);
  return attributes;
}

/** Options of a `create` span: it starts with the call, like the `send` span. */
export function createSpanOptions(startTime: TimeInput | undefined): SpanOptions {
  const options: SpanOptions = { kind: SpanKind.PRODUCER };
  if (startTime !== undefined) options.startTime = startTime;
  return options;
}
