import * as D from "./defaults.ts";
import { formatPath } from "./format-problems.ts";
import type { KafkaBridgeConfig, KafkaConfig, KafkaSslConfig } from "./kafka-types.ts";
import type { ValidatedFile } from "./schema.ts";

type FileKafka = NonNullable<ValidatedFile["kafka"]>;
type FileBridge = NonNullable<FileKafka["bridges"]>[number];

/** Fills the `kafka` section's defaults; warnings for settings that are valid but do nothing. */
export function normaliseKafka(kafka: FileKafka, warnings: string[]): KafkaConfig {
  const groups = kafka.lag?.groups ?? [];
  const allGroups = groups.includes("*");
  return {
    brokers: kafka.brokers,
    clientId: kafka.clientId ?? D.DEFAULT_KAFKA_CLIENT_ID,
    connectionTimeoutMs: kafka.connectionTimeout ?? D.DEFAULT_KAFKA_CONNECTION_TIMEOUT_MS,
    sasl: kafka.sasl,
    ssl: ssl(kafka.ssl),
    bridges: (kafka.bridges ?? []).map((bridge, i) => normaliseBridge(bridge, i, warnings)),
    lag:
      kafka.lag === undefined
        ? undefined
        : {
            groups: allGroups ? [] : groups,
            allGroups,
            intervalMs: kafka.lag.interval ?? D.DEFAULT_LAG_INTERVAL_MS,
          },
  };
}

function normaliseBridge(b: FileBridge, i: number, warnings: string[]): KafkaBridgeConfig {
  const ordering = b.ordering ?? D.DEFAULT_BRIDGE_ORDERING;
  if (ordering === "partition" && b.concurrency !== undefined && b.concurrency > 1) {
    warnings.push(
      `${formatPath(["kafka", "bridges", i, "concurrency"])}: ordering "partition" dispatches one message at a time, so ${b.concurrency} is not used`,
    );
  }
  return {
    name: b.name,
    topics: [...new Set(b.topics)],
    groupId: b.groupId ?? D.DEFAULT_BRIDGE_GROUP_PREFIX + b.name,
    upstream: b.upstream,
    path: b.path ?? D.DEFAULT_BRIDGE_PATH,
    method: b.method ?? D.DEFAULT_BRIDGE_METHOD,
    headers: b.headers ?? {},
    ordering,
    concurrency: ordering === "partition" ? 1 : (b.concurrency ?? D.DEFAULT_BRIDGE_CONCURRENCY),
    retry: {
      tries: b.retry?.tries ?? D.DEFAULT_BRIDGE_RETRY_TRIES,
      backoffMs: b.retry?.backoff ?? D.DEFAULT_BRIDGE_BACKOFF_MS,
      maxBackoffMs: b.retry?.maxBackoff ?? D.DEFAULT_BRIDGE_MAX_BACKOFF_MS,
      on: b.retry?.on ? [...new Set(b.retry.on)] : D.DEFAULT_BRIDGE_RETRY_ON,
    },
    deadLetterTopic: b.deadLetterTopic,
    startFrom: b.startFrom ?? D.DEFAULT_BRIDGE_START_FROM,
  };
}

function ssl(value: FileKafka["ssl"]): KafkaSslConfig | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { rejectUnauthorized: true };
  const { rejectUnauthorized, ...files } = value;
  return { rejectUnauthorized: rejectUnauthorized ?? true, ...files };
}
