import { context, SpanKind, trace } from "@opentelemetry/api";
import type { Attributes, Span } from "@opentelemetry/api";
import type { Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata, Transaction } from "kafkajs";
import {
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE,
  ATTR_MESSAGING_MESSAGE_BODY_SIZE,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_SEND,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { failSpan } from "./consumer-recorder.ts";
import { kafkaHeaderSetter } from "./header-carrier.ts";
import { createKafkaTelemetry, guard, spanTime, withErrorType } from "./kafka-telemetry.ts";
import type { Failure, KafkaTelemetry } from "./kafka-telemetry.ts";
import { isInstrumentedByOtelKafkajs } from "./otel-kafkajs-detect.ts";
import { isTracewayInstrumented, TRACEWAY_KAFKA_INSTRUMENTED } from "./instrumented-mark.ts";
import type { KafkaInstrumentationOptions } from "./types.ts";

type Sender = Pick<Producer, "send" | "sendBatch">;

interface PreparedSend {
  readonly topicMessages: { topic: string; messages: Message[] }[];
  readonly spans: { topic: string; span: Span }[];
}

function byteLength(value: Message["value"]): number | undefined {
  if (value === null) return undefined;
  return typeof value === "string" ? Buffer.byteLength(value) : value.length;
}

function sendAttributes(telemetry: KafkaTelemetry, topic: string, message: Message): Attributes {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_SEND,
    [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_SEND,
    [ATTR_MESSAGING_DESTINATION_NAME]: topic,
  };
  if (message.partition !== undefined)
    attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(message.partition);
  if (telemetry.clientId !== undefined) attributes[ATTR_MESSAGING_CLIENT_ID] = telemetry.clientId;
  const size = byteLength(message.value);
  if (size !== undefined) attributes[ATTR_MESSAGING_MESSAGE_BODY_SIZE] = size;
  if (message.key !== undefined && message.key !== null) {
    if (telemetry.captureMessageKey) attributes[ATTR_MESSAGING_KAFKA_MESSAGE_KEY] = message.key.toString();
    if (message.value === null) attributes[ATTR_MESSAGING_KAFKA_MESSAGE_TOMBSTONE] = true;
  }
  return attributes;
}

/** Starts one `send <topic>` span per message and injects its context into a copy of the message. */
function prepare(
  telemetry: KafkaTelemetry,
  topicMessages: readonly { topic: string; messages: Message[] }[],
) {
  const prepared: PreparedSend = { topicMessages: [], spans: [] };
  const active = context.active();
  const startTime = spanTime(telemetry, telemetry.clock.now());
  for (const { topic, messages } of topicMessages) {
    const copies: Message[] = [];
    for (const message of messages) {
      const span = telemetry.tracer.startSpan(
        `send ${topic}`,
        { kind: SpanKind.PRODUCER, startTime, attributes: sendAttributes(telemetry, topic, message) },
        active,
      );
      // A copy, so the caller's message objects are never mutated (they may be re-sent).
      const copy: Message = { ...message, headers: { ...message.headers } };
      telemetry.propagator.inject(trace.setSpan(active, span), copy.headers, kafkaHeaderSetter);
      copies.push(copy);
      prepared.spans.push({ topic, span });
    }
    prepared.topicMessages.push({ topic, messages: copies });
  }
  return prepared;
}

function settle(telemetry: KafkaTelemetry, prepared: PreparedSend, failure: Failure | undefined): void {
  const endTime = spanTime(telemetry, telemetry.clock.now());
  for (const { topic, span } of prepared.spans) {
    telemetry.sentMessages.add(
      1,
      withErrorType(
        {
          [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
          [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_SEND,
          [ATTR_MESSAGING_DESTINATION_NAME]: topic,
        },
        failure,
      ),
    );
    if (failure !== undefined) failSpan(span, failure);
    span.end(endTime);
  }
}

async function tracedSend(
  telemetry: KafkaTelemetry,
  topicMessages: readonly { topic: string; messages: Message[] }[],
  send: (prepared: PreparedSend | undefined) => Promise<RecordMetadata[]>,
): Promise<RecordMetadata[]> {
  const prepared = guard("send start", () => prepare(telemetry, topicMessages));
  let result: RecordMetadata[];
  try {
    result = await send(prepared);
  } catch (error) {
    if (prepared !== undefined) guard("send end", () => settle(telemetry, prepared, { error }));
    throw error;
  }
  if (prepared !== undefined) guard("send end", () => settle(telemetry, prepared, undefined));
  return result;
}

function wrapSender<S extends Sender>(telemetry: KafkaTelemetry, sender: S): PropertyDescriptorMap {
  return {
    send: {
      value: (record: ProducerRecord): Promise<RecordMetadata[]> =>
        tracedSend(telemetry, [record], (prepared) =>
          sender.send(
            prepared === undefined
              ? record
              : { ...record, messages: prepared.topicMessages[0]?.messages ?? [] },
          ),
        ),
    },
    sendBatch: {
      value: (batch: ProducerBatch): Promise<RecordMetadata[]> =>
        tracedSend(telemetry, batch.topicMessages ?? [], (prepared) =>
          sender.sendBatch(
            prepared === undefined ? batch : { ...batch, topicMessages: prepared.topicMessages },
          ),
        ),
    },
  };
}

/**
 * Returns a producer that creates a `send <topic>` PRODUCER span per message and writes its
 * W3C trace context into the message headers (on a copy; your message objects are untouched),
 * counting `messaging.client.sent.messages` per topic. Transactions from `transaction()` are
 * wrapped the same way. The kafkajs module and `producer` itself are not modified.
 *
 * If `@opentelemetry/instrumentation-kafkajs` already instrumented `producer`, it is returned
 * as is: that instrumentation already creates send spans and injects headers.
 */
export function instrumentProducer<P extends Producer>(
  producer: P,
  options: KafkaInstrumentationOptions = {},
): P {
  if (isTracewayInstrumented(producer)) return producer;
  if ((options.deferToOtelInstrumentation ?? true) && isInstrumentedByOtelKafkajs(producer, "send")) {
    return producer;
  }
  const telemetry = createKafkaTelemetry(options, false);
  const wrapped = Object.create(producer, {
    [TRACEWAY_KAFKA_INSTRUMENTED]: { value: true },
    ...wrapSender(telemetry, producer),
    transaction: {
      value: async (): Promise<Transaction> => {
        const transaction = await producer.transaction();
        return Object.create(transaction, wrapSender(telemetry, transaction)) as Transaction;
      },
    },
  }) as P;
  return wrapped;
}
