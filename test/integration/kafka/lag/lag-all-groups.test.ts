import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { METRIC_TRACEWAY_KAFKA_GROUP_LAG } from "../../../../interceptors/semconv.ts";
import { ensureServices, KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { createTopic, startTraceway, testKafka, type Traceway } from "../bridge/bridge-fixture.ts";

// `groups: ["*"]` follows every group the cluster lists, including one that appears after
// traceway started.
let kafka: Kafka;
let admin: Admin;
let topic: string;
let traceway: Traceway;

before(async () => {
  await ensureServices("kafka");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  topic = await createTopic(admin, "lag-all", 1);
});

after(async () => {
  await traceway?.stop();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

void test('groups: ["*"] watches a group that is created after traceway started', async () => {
  traceway = await startTraceway(
    [
      'server: { listen: "127.0.0.1:0" }',
      'upstreams: { api: { backends: [{ url: "http://127.0.0.1:9" }] } }',
      "telemetry: { prometheus: { enabled: false } }",
      "logging: { level: warn, accessLog: false }",
      "kafka:",
      `  brokers: ["${KAFKA_BROKER}"]`,
      '  lag: { groups: ["*"], interval: 1s }',
    ].join("\n"),
  );
  const group = `${topic}-late`;
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: "1" }, { value: "2" }, { value: "3" }] });
  await producer.disconnect();
  // The group commits offset 1 of 3: lag 2.
  await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: "1" }] });
  const match = { "messaging.consumer.group.name": group, "messaging.destination.name": topic };
  const lag = await waitFor(
    async () => {
      const value = await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_LAG, match);
      return value === 2 ? value : undefined;
    },
    { what: `lag of the new group ${group}`, timeoutMs: 30_000, intervalMs: 250 },
  );
  assert.equal(lag, 2);
});
