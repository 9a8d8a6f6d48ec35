import type { Consumer, InstrumentationEvent } from "kafkajs";
import { ATTR_MESSAGING_SYSTEM_NAME, ATTR_TRACEWAY_KAFKA_EVENT, MESSAGING_SYSTEM_KAFKA } from "../semconv.ts";
import { watchBroker } from "./broker-address.ts";
import { withIdentity } from "./client-identity.ts";
import type { ConsumerRecorder } from "./consumer-recorder.ts";
import { guard, withErrorType } from "./kafka-telemetry.ts";
import type { PollDuration } from "./poll-duration.ts";

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
  nodeId?: unknown;
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
  const attributes: Record<string, string | number> = {
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
    [ATTR_TRACEWAY_KAFKA_EVENT]: name,
  };
  withIdentity(attributes, recorder.identity.current, true);
  recorder.telemetry.consumerEvents.add(1, withErrorType(attributes, error));
}

/** Times kafkajs' fetches: `fetch_start` and `fetch` carry the broker node they went to. */
function listenToFetches(consumer: Consumer, poll: PollDuration): (() => void)[] {
  // kafkajs passes the broker's node id as the string key of its broker pool.
  const nodeOf = (event: InstrumentationEvent<unknown>): string | undefined => {
    const { nodeId } = payloadOf(event);
    return typeof nodeId === "string" || typeof nodeId === "number" ? String(nodeId) : undefined;
  };
  return [
    consumer.on(consumer.events.FETCH_START, (event: InstrumentationEvent<unknown>) => {
      guard("consumer event fetch_start", () => {
        const node = nodeOf(event);
        if (node !== undefined) poll.started(node);
      });
    }),
    consumer.on(consumer.events.FETCH, (event: InstrumentationEvent<unknown>) => {
      guard("consumer event fetch", () => {
        const node = nodeOf(event);
        if (node !== undefined) poll.ended(node);
      });
    }),
  ];
}

/**
 * Subscribes to the consumer's instrumentation events: lifecycle events become counters, the
 * first group join tells the group id and the first network request the broker address, each
 * batch start carries the high watermark that fetch-time lag needs (kafkajs gives `eachMessage`
 * handlers no batch), and fetch start/end time the `poll` operation. kafkajs emits these
 * synchronously from its fetch loop, so every listener is guarded.
 */
export function listenToConsumerEvents(
  consumer: Consumer,
  recorder: ConsumerRecorder,
  poll: PollDuration,
): () => void {
  const removers: (() => void)[] = [];
  for (const [key, name] of Object.entries(COUNTED_EVENTS)) {
    const eventName = consumer.events[key as keyof typeof COUNTED_EVENTS];
    removers.push(
      consumer.on(eventName, (event: InstrumentationEvent<unknown>) => {
        guard(`consumer event ${name}`, () => {
          const payload = payloadOf(event);
          if (typeof payload.groupId === "string") recorder.identity.learnGroup(payload.groupId);
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
  // With @opentelemetry/instrumentation-kafkajs active, messaging.client.operation.duration is
  // its (one point per Kafka request); a second series from here would double the operations.
  if (!recorder.telemetry.deferToOtel) removers.push(...listenToFetches(consumer, poll));
  watchBroker(consumer, (broker) => recorder.identity.learnBroker(broker));
  return () => {
    for (const remove of removers) remove();
  };
}
