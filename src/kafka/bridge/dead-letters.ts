import type { IHeaders, KafkaMessage, Message, Producer } from "kafkajs";
import type { DispatchResult } from "../../proxy/upstream-dispatcher.ts";

/**
 * Headers a dead letter carries besides the original message's own (Kafka Connect's and Spring
 * Kafka's DLQs carry the same facts under their own names).
 */
export const DEAD_LETTER_HEADERS = {
  topic: "traceway-dlq-original-topic",
  partition: "traceway-dlq-original-partition",
  offset: "traceway-dlq-original-offset",
  timestamp: "traceway-dlq-original-timestamp",
  /** The bridge's consumer group. */
  group: "traceway-dlq-consumer-group",
  bridge: "traceway-dlq-bridge",
  /** `error.type` of the last failure: an HTTP status (`500`, `404`) or a `TRACEWAY_ERR_*` code. */
  errorType: "traceway-dlq-error-type",
  /** What went wrong, for a person: the status line and the start of the response body, or the error. */
  error: "traceway-dlq-error",
  /** Dispatches counted against `retry.tries`. */
  attempts: "traceway-dlq-attempts",
} as const;

/** Where a dead letter came from and why it is one. */
export interface DeadLetterFacts {
  readonly bridge: string;
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly errorType: string;
  readonly error: string;
  readonly attempts: number;
}

/** The message to write to the dead-letter topic: same key, value and headers, plus the facts. */
export function deadLetter(message: KafkaMessage, facts: DeadLetterFacts): Message {
  const headers: IHeaders = { ...message.headers };
  headers[DEAD_LETTER_HEADERS.topic] = facts.topic;
  headers[DEAD_LETTER_HEADERS.partition] = String(facts.partition);
  headers[DEAD_LETTER_HEADERS.offset] = message.offset;
  headers[DEAD_LETTER_HEADERS.timestamp] = message.timestamp;
  headers[DEAD_LETTER_HEADERS.group] = facts.group;
  headers[DEAD_LETTER_HEADERS.bridge] = facts.bridge;
  headers[DEAD_LETTER_HEADERS.errorType] = facts.errorType;
  headers[DEAD_LETTER_HEADERS.error] = facts.error;
  headers[DEAD_LETTER_HEADERS.attempts] = String(facts.attempts);
  return { key: message.key, value: message.value, headers };
}

/** A person's account of a failed dispatch: `HTTP 500 Internal Server Error: <body start>`, or the error. */
export function describeFailure(result: DispatchResult): string {
  if (result.status === undefined) return result.error?.message ?? "dispatch failed";
  const body = result.body.length > 0 ? `: ${result.body.toString("utf8")}` : "";
  return `HTTP ${result.status}${body}`;
}

/** Writes dead letters; one producer serves every bridge of the process. */
export interface DeadLetterSink {
  send(topic: string, message: Message): Promise<void>;
  close(): Promise<void>;
}

/** A sink over a producer it connects on first use (most configs have no dead-letter topic). */
export function producerSink(create: () => Producer): DeadLetterSink {
  let producer: Producer | undefined;
  let connecting: Promise<Producer> | undefined;
  const connected = (): Promise<Producer> =>
    (connecting ??= (async () => {
      const p = create();
      try {
        await p.connect();
      } catch (error) {
        connecting = undefined;
        throw error;
      }
      producer = p;
      return p;
    })());
  return {
    async send(topic, message) {
      // acks: all, so a dead letter is as durable as the message it stands for.
      await (await connected()).send({ topic, messages: [message], acks: -1 });
    },
    async close() {
      await producer?.disconnect();
    },
  };
}
