import type { Consumer, InstrumentationEvent } from "kafkajs";
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_SYSTEM,
  ATTR_TRACEWAY_KAFKA_EVENT,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { guard, withErrorType } from "./kafka-telemetry.ts";

/** `traceway.kafka.event` values, by kafkajs consumer event key. */
const COUNTED_EVENTS = {
  CONNECT: "connect",
  DISCONNECT: "disconnect",
  GROUP_JOIN: "group_join",
  REBALANCING: "rebalancing",
  COMMIT_OFFSETS: "commit_offsets",
  STOP: "stop",
  CRASH: "crash",
  REQUEST_TIMEOUT: "request_timeout",
  RECEIVED_UNSUBSCRIBED_TOPICS: "received_unsubscribed_topics",
} as const;

export const COMMIT_OFFSETS_FAILED_EVENT = "commit_offsets_failed";

interface EventPayload {
  groupId?: unknown;
  error?: unknown;
  topic?: unknown;
  partition?: unknown;
  highWatermark?: unknown;
}

function payloadOf(event: InstrumentationEvent<unknown>): EventPayload {
  const payload = event.payload;
  return payload !== null && typeof payload === "object" ? payload : {};
}

/** Adds one to `traceway.messaging.kafka.consumer.events`; `error` sets `error.type`. */
export function countConsumerEvent(
  recorder: ConsumerRecorder,
  name: string,
  error?: { error: unknown },
): void {
  const attributes = {
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: recorder.groupId() ?? "",
    [ATTR_TRACEWAY_KAFKA_EVENT]: name,
  };
  recorder.telemetry.consumerEvents.add(1, withErrorType(attributes, error));
}

/**
 * Subscribes to the consumer's instrumentation events: lifecycle events become counters, the
 * first group join tells us the group id, and each batch start carries the high watermark that
 * fetch-time lag needs (kafkajs gives `eachMessage` handlers no batch). kafkajs emits these
 * synchronously from its fetch loop, so every listener is guarded.
 */
export function listenToConsumerEvents(
  consumer: Consumer,
  recorder: ConsumerRecorder,
  learnGroupId: (groupId: string) => void,
): () => void {
  const removers: (() => void)[] = [];
  for (const [key, name] of Object.entries(COUNTED_EVENTS)) {
    const eventName = consumer.events[key as keyof typeof COUNTED_EVENTS];
    removers.push(
      consumer.on(eventName, (event: InstrumentationEvent<unknown>) => {
        guard(`consumer event ${name}`, () => {
          const payload = payloadOf(event);
          if (typeof payload.groupId === "string") learnGroupId(payload.groupId);
          countConsumerEvent(recorder, name, key === "CRASH" ? { error: payload.error } : undefined);
        });
      }),
    );
  }
  removers.push(
    consumer.on(consumer.events.START_BATCH_PROCESS, (event) => {
      guard("consumer event start_batch_process", () => {
        const { topic, partition, highWatermark } = event.payload;
        recorder.fetchLag.onFetched(topic, partition, highWatermark);
      });
    }),
  );
  return () => {
    for (const remove of removers) remove();
  };
}
