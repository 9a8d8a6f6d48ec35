import type { OutgoingHttpHeaders } from "node:http";
import type { KafkaMessage } from "kafkajs";
import type { KafkaBridgeConfig } from "../../config/kafka-types.ts";
import type { DispatchRequest } from "../../proxy/upstream-dispatcher.ts";
import { encodeHeaderName, encodeHeaderValue } from "./header-encoding.ts";

/** Request headers every message carries (see docs/kafka-bridge.md, "What a request carries"). */
export const KAFKA_HEADERS = {
  topic: "x-kafka-topic",
  partition: "x-kafka-partition",
  offset: "x-kafka-offset",
  timestamp: "x-kafka-timestamp",
  key: "x-kafka-key",
  /** Present (`true`) when the value is null: a delete marker on a compacted topic. */
  tombstone: "x-kafka-tombstone",
  /** Prefix of one header per message header. */
  headerPrefix: "x-kafka-header-",
} as const;

/** Sent when neither the bridge's `headers` nor anything else says what the body is. */
export const DEFAULT_CONTENT_TYPE = "application/octet-stream";

/** A bridge's `path`, split once so a message fills it in without a regex. */
export class PathTemplate {
  readonly #parts: readonly string[];
  readonly #constant: string | undefined;

  constructor(template: string) {
    // Odd indexes are placeholder names: "/a/{topic}/b" → ["/a/", "topic", "/b"].
    this.#parts = template.split(/\{(topic|partition|key)\}/);
    this.#constant = this.#parts.length === 1 ? template : undefined;
  }

  fill(topic: string, partition: number, key: Buffer | null): string {
    if (this.#constant !== undefined) return this.#constant;
    let path = "";
    for (let i = 0; i < this.#parts.length; i++) {
      const part = this.#parts[i] ?? "";
      if (i % 2 === 0) path += part;
      else if (part === "topic") path += encodeURIComponent(topic);
      else if (part === "partition") path += String(partition);
      else path += key === null ? "" : encodeURIComponent(key.toString("utf8"));
    }
    return path;
  }
}

/**
 * Turns a message into the request a bridge dispatches: the value is the body; topic, partition,
 * offset, timestamp and key ride in `x-kafka-*` headers, and each message header in an
 * `x-kafka-header-<name>` (repeated for repeated keys). Keys and header bytes are encoded as
 * {@link encodeHeaderValue} says. The bridge's own `headers` come first; `content-type` defaults
 * to {@link DEFAULT_CONTENT_TYPE}.
 */
export function messageRequest(
  bridge: KafkaBridgeConfig,
  path: PathTemplate,
  topic: string,
  partition: number,
  message: KafkaMessage,
): DispatchRequest {
  const headers: OutgoingHttpHeaders = { "content-type": DEFAULT_CONTENT_TYPE, ...bridge.headers };
  headers[KAFKA_HEADERS.topic] = topic;
  headers[KAFKA_HEADERS.partition] = String(partition);
  headers[KAFKA_HEADERS.offset] = message.offset;
  headers[KAFKA_HEADERS.timestamp] = message.timestamp;
  const key = message.key ?? null;
  if (key !== null) headers[KAFKA_HEADERS.key] = encodeHeaderValue(key);
  if (message.value === null) headers[KAFKA_HEADERS.tombstone] = "true";
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    if (value === undefined) continue;
    const values = (Array.isArray(value) ? value : [value]).map((v) =>
      encodeHeaderValue(typeof v === "string" ? Buffer.from(v, "utf8") : v),
    );
    const field = KAFKA_HEADERS.headerPrefix + encodeHeaderName(name);
    const existing = headers[field];
    // Kafka allows a key twice (and "A" and "a" are one HTTP name): every value is kept, in order.
    headers[field] =
      existing === undefined
        ? values.length === 1
          ? values[0]
          : values
        : [existing, ...values].flat().map(String);
  }
  return {
    method: bridge.method,
    path: path.fill(topic, partition, key),
    headers,
    body: message.value ?? undefined,
    identity: key === null ? "" : key.toString("latin1"),
    route: `kafka:${bridge.name}`,
  };
}
