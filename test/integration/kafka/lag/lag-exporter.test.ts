import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import {
  METRIC_TRACEWAY_KAFKA_GROUP_LAG,
  METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG,
} from "../../../../interceptors/semconv.ts";
import { consumerGroupDescribe, ensureServices, KAFKA_BROKER } from "../../../helpers/services.ts";
import type { ConsumerGroupRow } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { createTopic, startTraceway, testKafka, type Traceway } from "../bridge/bridge-fixture.ts";
import { consumeAndLeave, produceCounts } from "./lag-fixture.ts";

// The lag exporter watches a group traceway does not consume (a plain kafkajs consumer): at rest
// its lag equals Kafka's own kafka-consumer-groups --describe, partition by partition, and its
// lag in seconds is the age of the oldest unconsumed message, growing while the group is stopped.
const AGE_MS = 60_000;
let kafka: Kafka;
let admin: Admin;
let topic: string;
let group: string;
let traceway: Traceway;

before(async () => {
  await ensureServices("kafka");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  topic = await createTopic(admin, "lag-exporter", 3);
  group = `${topic}-plain`;
});

after(async () => {
  await traceway?.stop();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

const produce = (perPartition: readonly number[], timestamp?: number): Promise<void> =>
  produceCounts(kafka, topic, perPartition, timestamp);
const consume = (expected: number): Promise<void> => consumeAndLeave(kafka, group, topic, expected);

const series = (partition: number) => ({
  "messaging.consumer.group.name": group,
  "messaging.destination.name": topic,
  "messaging.destination.partition.id": String(partition),
});

void test("lag of a plain kafkajs group equals kafka-consumer-groups --describe; lag in seconds grows while it is stopped", async (t) => {
  await produce([10, 10, 10]);
  await consume(30);
  // Consumer gone; 7 + 3 + 0 more arrive, stamped a minute ago.
  const stampedAt = Date.now() - AGE_MS;
  await produce([7, 3, 0], stampedAt);
  traceway = await startTraceway(
    [
      'server: { listen: "127.0.0.1:0" }',
      'upstreams: { api: { backends: [{ url: "http://127.0.0.1:9" }] } }',
      "telemetry: { prometheus: { enabled: false } }",
      "logging: { level: warn, accessLog: false }",
      "kafka:",
      `  brokers: ["${KAFKA_BROKER}"]`,
      `  lag: { groups: [${group}], interval: 1s }`,
    ].join("\n"),
  );
  const rows: ConsumerGroupRow[] = await consumerGroupDescribe(group);
  assert.deepEqual(
    rows.map((r) => r.lag),
    [7, 3, 0],
  );
  await waitFor(
    async () => {
      for (const row of rows) {
        if ((await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_LAG, series(row.partition))) !== row.lag)
          return false;
      }
      return true;
    },
    { what: "the exported lag to equal kafka-consumer-groups' LAG", timeoutMs: 20_000, intervalMs: 200 },
  );
  for (const row of rows) {
    const exported = await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_LAG, series(row.partition));
    t.diagnostic(
      `partition ${row.partition}: kafka-consumer-groups CURRENT-OFFSET=${row.currentOffset} LOG-END-OFFSET=${row.logEndOffset} LAG=${row.lag} | traceway ${exported}`,
    );
  }

  const first = await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG, series(0));
  const firstAt = Date.now();
  assert.ok(
    first >= AGE_MS / 1000 && first <= (firstAt - stampedAt) / 1000 + 1,
    `lag in seconds ${first} is the age of the message at the committed offset (≈ ${(firstAt - stampedAt) / 1000})`,
  );
  const later = await waitFor(
    async () => {
      const value = await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG, series(0));
      return value >= first + 2 ? value : undefined;
    },
    { what: "lag in seconds to grow", timeoutMs: 15_000, intervalMs: 250 },
  );
  t.diagnostic(
    `lag in seconds on partition 0: ${first.toFixed(1)} then ${later.toFixed(1)}; caught-up partition 2: ${await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG, series(2))}`,
  );
  assert.equal(await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_TIME_LAG, series(2)), 0);
});
