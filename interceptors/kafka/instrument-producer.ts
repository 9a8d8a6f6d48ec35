import type { Producer, ProducerBatch, ProducerRecord, RecordMetadata, Transaction } from "kafkajs";
import { watchBroker } from "./broker-address.ts";
import { IdentityCell } from "./client-identity.ts";
import { createKafkaTelemetry, guard } from "./kafka-telemetry.ts";
import { isInstrumentedByOtelKafkajs } from "./otel-kafkajs-detect.ts";
import { isTracewayInstrumented, TRACEWAY_KAFKA_INSTRUMENTED } from "./instrumented-mark.ts";
import { tracedSend } from "./producer-send.ts";
import type { ProducerTelemetry } from "./producer-send.ts";
import type { KafkaProducerInstrumentationOptions } from "./types.ts";

type Sender = Pick<Producer, "send" | "sendBatch">;

function wrapSender<S extends Sender>(producer: ProducerTelemetry, sender: S): PropertyDescriptorMap {
  return {
    send: {
      value: (record: ProducerRecord): Promise<RecordMetadata[]> =>
        tracedSend(producer, [record], (prepared) =>
          sender.send(prepared === undefined ? record : { ...record, messages: prepared[0]?.messages ?? [] }),
        ),
    },
    sendBatch: {
      value: (batch: ProducerBatch): Promise<RecordMetadata[]> =>
        tracedSend(producer, batch.topicMessages ?? [], (prepared) =>
          sender.sendBatch(prepared === undefined ? batch : { ...batch, topicMessages: [...prepared] }),
        ),
    },
  };
}

/**
 * Returns a producer that traces every `send` and `sendBatch` the way the messaging semconv
 * models producers, and writes each message's W3C trace context into its headers (on a copy;
 * your message objects are untouched):
 *
 * - a call with one message: a `send <topic>` PRODUCER span, injected into the message;
 * - a call with more: one `send` span (`messaging.batch.message_count`, CLIENT) and a
 *   `create <topic>` PRODUCER span per message, injected into that message and linked from the
 *   `send` span (`createSpans: false`: the `send` span, PRODUCER, is injected into all of them);
 * - a message whose headers already carry a trace context keeps it, and `send` links to it.
 *
 * Metrics: `messaging.client.operation.duration` per call, `messaging.client.sent.messages` per
 * message. Transactions from `transaction()` are wrapped the same way. The kafkajs module and
 * `producer` itself are not modified.
 *
 * If `@opentelemetry/instrumentation-kafkajs` already instrumented `producer`, it is returned
 * as is: that instrumentation already creates send spans and injects headers.
 */
export function instrumentProducer<P extends Producer>(
  producer: P,
  options: KafkaProducerInstrumentationOptions = {},
): P {
  if (isTracewayInstrumented(producer)) return producer;
  if ((options.deferToOtelInstrumentation ?? true) && isInstrumentedByOtelKafkajs(producer, "send")) {
    return producer;
  }
  const state: ProducerTelemetry = {
    telemetry: createKafkaTelemetry(options, false),
    identity: new IdentityCell(undefined),
    createSpans: options.createSpans ?? true,
    pointAttributes: new Map(),
    pointAttributesFor: undefined,
  };
  guard("producer broker address", () =>
    watchBroker(producer, (broker) => state.identity.learnBroker(broker)),
  );
  const wrapped = Object.create(producer, {
    [TRACEWAY_KAFKA_INSTRUMENTED]: { value: true },
    ...wrapSender(state, producer),
    transaction: {
      value: async (): Promise<Transaction> => {
        const transaction = await producer.transaction();
        return Object.create(transaction, wrapSender(state, transaction)) as Transaction;
      },
    },
  }) as P;
  return wrapped;
}
