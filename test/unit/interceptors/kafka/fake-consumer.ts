import { EventEmitter } from "node:events";
import type { Consumer, ConsumerRunConfig, KafkaMessage } from "kafkajs";

/** Event names as kafkajs defines them (`consumer.events`). */
export const CONSUMER_EVENTS = {
  HEARTBEAT: "consumer.heartbeat",
  COMMIT_OFFSETS: "consumer.commit_offsets",
  GROUP_JOIN: "consumer.group_join",
  FETCH_START: "consumer.fetch_start",
  FETCH: "consumer.fetch",
  START_BATCH_PROCESS: "consumer.start_batch_process",
  END_BATCH_PROCESS: "consumer.end_batch_process",
  CONNECT: "consumer.connect",
  DISCONNECT: "consumer.disconnect",
  STOP: "consumer.stop",
  CRASH: "consumer.crash",
  REBALANCING: "consumer.rebalancing",
  RECEIVED_UNSUBSCRIBED_TOPICS: "consumer.received_unsubscribed_topics",
  REQUEST: "consumer.network.request",
  REQUEST_TIMEOUT: "consumer.network.request_timeout",
  REQUEST_QUEUE_SIZE: "consumer.network.request_queue_size",
} as const;

/**
 * Just enough of a kafkajs consumer to test the wrapper in isolation: `run` stores the handlers
 * (the test then calls them like kafkajs' runner would) and `emit` plays instrumentation events.
 * Anything claiming to test Kafka itself lives in test/integration/kafka and uses a real broker.
 */
export function createFakeConsumer(): {
  consumer: Consumer;
  runConfig(): ConsumerRunConfig;
  emit(name: string, payload: unknown): void;
} {
  const emitter = new EventEmitter();
  let config: ConsumerRunConfig | undefined;
  const fake = {
    events: CONSUMER_EVENTS,
    on(name: string, listener: (event: unknown) => void) {
      emitter.on(name, listener);
      return () => emitter.off(name, listener);
    },
    run(runConfig?: ConsumerRunConfig) {
      config = runConfig;
      return Promise.resolve();
    },
    subscribe() {
      return Promise.resolve();
    },
    commitOffsets() {
      return Promise.reject(new Error("commit refused"));
    },
  };
  return {
    consumer: fake as unknown as Consumer,
    runConfig() {
      if (config === undefined) throw new Error("run() was not called");
      return config;
    },
    emit(name, payload) {
      emitter.emit(name, { id: 0, type: name, timestamp: Date.now(), payload });
    },
  };
}

export function message(offset: number, fields: Partial<KafkaMessage> = {}): KafkaMessage {
  return {
    key: null,
    value: Buffer.from(`value-${offset}`),
    timestamp: String(1_700_000_000_000 + offset),
    attributes: 0,
    offset: String(offset),
    headers: {},
    ...fields,
  } as KafkaMessage;
}
