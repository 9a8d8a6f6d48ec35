/**
 * The `kafka` section, validated and normalised (durations in ms, every default filled in): the
 * cluster connection, the bridges that dispatch messages to upstreams, and the lag exporter.
 */

/** What keeps messages in order: one key at a time, one message at a time, or nothing. */
export type BridgeOrdering = "key" | "partition" | "none";
/** Failures a bridge retries a message on (`http_5xx` is any 5xx status). */
export type BridgeRetryOn = "error" | "timeout" | "http_5xx" | "http_429";
/** Methods that carry a body. */
export type BridgeMethod = "POST" | "PUT" | "PATCH";
/** Where a new consumer group starts: the oldest retained message, or new messages only. */
export type BridgeStartFrom = "earliest" | "latest";
export type KafkaSaslMechanism = "plain" | "scram-sha-256" | "scram-sha-512";

export interface BridgeRetryConfig {
  /** Dispatches of one message in total, the first included. */
  readonly tries: number;
  /** Backoff before the second try; doubles each try, with jitter, up to `maxBackoffMs`. */
  readonly backoffMs: number;
  readonly maxBackoffMs: number;
  readonly on: readonly BridgeRetryOn[];
}

export interface KafkaBridgeConfig {
  readonly name: string;
  readonly topics: readonly string[];
  readonly groupId: string;
  /** The upstream every message is dispatched through. */
  readonly upstream: string;
  /** Request path; `{topic}`, `{partition}` and `{key}` are replaced per message. */
  readonly path: string;
  readonly method: BridgeMethod;
  /** Sent with every request (before the `x-kafka-*` ones, which win). */
  readonly headers: Readonly<Record<string, string>>;
  readonly ordering: BridgeOrdering;
  /** Dispatches in flight per partition, when the ordering allows more than one. */
  readonly concurrency: number;
  readonly retry: BridgeRetryConfig;
  /** Where a message that failed its last try goes; none: its partition stops. */
  readonly deadLetterTopic: string | undefined;
  readonly startFrom: BridgeStartFrom;
}

export interface KafkaLagConfig {
  /** Named groups to watch; with `allGroups`, every group the cluster lists (`groups: ["*"]`). */
  readonly groups: readonly string[];
  readonly allGroups: boolean;
  readonly intervalMs: number;
}

export interface KafkaSaslConfig {
  readonly mechanism: KafkaSaslMechanism;
  readonly username: string;
  readonly password: string;
}

export interface KafkaSslConfig {
  readonly rejectUnauthorized: boolean;
  /** PEM files, read at start-up. */
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  readonly servername?: string | undefined;
}

export interface KafkaConfig {
  readonly brokers: readonly string[];
  readonly clientId: string;
  readonly connectionTimeoutMs: number;
  readonly sasl: KafkaSaslConfig | undefined;
  readonly ssl: KafkaSslConfig | undefined;
  readonly bridges: readonly KafkaBridgeConfig[];
  /** Absent: only the bridges' own groups are watched, every {@link DEFAULT_LAG_INTERVAL_MS}. */
  readonly lag: KafkaLagConfig | undefined;
}
