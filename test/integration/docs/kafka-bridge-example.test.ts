import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { CUSTOM_NAMES, METRIC_TRACEWAY_KAFKA_GROUP_LAG } from "../../../interceptors/semconv.ts";
import { markdownBlock, markdownTable } from "../../helpers/markdown-block.ts";
import { ensureServices, KAFKA_BROKER, REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  createTopic,
  RecordingBackend,
  startTraceway,
  testKafka,
  type Traceway,
} from "../kafka/bridge/bridge-fixture.ts";

// docs/kafka-bridge.md: both YAML examples run against the real broker, and the tables of request
// headers and metrics are held to what arrives and what is emitted.
const PAGE = join(REPO_ROOT, "docs", "kafka-bridge.md");
const README = join(REPO_ROOT, "README.md");
/** Test-only additions: an ephemeral port, no metrics port, quiet logs. */
const LOCAL =
  'server: { listen: "127.0.0.1:0" }\ntelemetry: { prometheus: { enabled: false } }\nlogging: { level: warn, accessLog: false }\n';
const backend = new RecordingBackend("orders-api");
let kafka: Kafka;
let admin: Admin;
let topic: string;
const running: Traceway[] = [];

before(async () => {
  await ensureServices("kafka");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  topic = await createTopic(admin, "docs-bridge", 1);
  await backend.start();
});

after(async () => {
  for (const t of running) await t.stop();
  await backend.kill();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

async function start(heading: string, env: Record<string, string>, page = PAGE): Promise<Traceway> {
  const traceway = await startTraceway(`${LOCAL}${markdownBlock(page, heading)}`, env);
  running.push(traceway);
  return traceway;
}

void test("the Kafka bridge example delivers messages with the headers its table lists", async () => {
  await start("## Kafka bridge", {
    ORDERS_API: backend.url,
    KAFKA_BROKERS: KAFKA_BROKER,
    ORDERS_TOPIC: topic,
  });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      {
        key: "user-1",
        value: '{"total":42}',
        headers: { "Tenant-Id": "acme", blob: Buffer.from([0x00, 0xff]) },
      },
      { key: null, value: null },
    ],
  });
  await producer.disconnect();
  await waitFor(() => backend.received.length === 2, {
    what: "both messages at the service",
    timeoutMs: 60_000,
  });
  const [first, tombstone] = backend.received;
  assert.equal(first?.path, `/events/${topic}`);
  assert.equal(first?.body, '{"total":42}');
  assert.equal(first?.headers["content-type"], "application/json");
  assert.equal(first?.headers["x-kafka-key"], "user-1");
  assert.equal(first?.headers["x-kafka-header-tenant-id"], "acme");
  assert.equal(first?.headers["x-kafka-header-blob"], "%00%FF");
  assert.match(String(first?.headers["x-kafka-timestamp"]), /^\d{13}$/);
  assert.equal(tombstone?.headers["x-kafka-tombstone"], "true");
  assert.equal(tombstone?.headers["x-kafka-key"], undefined);

  // Every x-kafka-* header that arrived is in the table, and every one the table names arrived.
  const documented = markdownTable(PAGE, "### What a request carries")
    .map((cells) => /`(x-kafka-[a-z-]+)/.exec(cells[0] ?? "")?.[1])
    .filter((name): name is string => name !== undefined);
  const arrived = new Set(
    backend.received.flatMap((r) => Object.keys(r.headers)).filter((h) => h.startsWith("x-kafka-")),
  );
  const toDocumented = (h: string): string => (h.startsWith("x-kafka-header-") ? "x-kafka-header-" : h);
  assert.deepEqual([...new Set([...arrived].map(toDocumented))].sort(), [...documented].sort());
});

void test("the lag exporter example exports the lag of a group traceway does not consume", async () => {
  const group = `${topic}-billing`;
  const traceway = await start("## Lag exporter", { KAFKA_BROKERS: KAFKA_BROKER, LAG_GROUP: group });
  await admin.setOffsets({ groupId: group, topic, partitions: [{ partition: 0, offset: "0" }] });
  const lag = await waitFor(
    async () => {
      const value = await traceway.metric(METRIC_TRACEWAY_KAFKA_GROUP_LAG, {
        "messaging.consumer.group.name": group,
      });
      return value > 0 ? value : undefined;
    },
    { what: "the group's lag exported", timeoutMs: 40_000, intervalMs: 250 },
  );
  assert.equal(lag, 2, "two messages behind offset 0");
});

void test("the README's bridge and lag exporter examples deliver and export", async () => {
  // The README's bridge has the docs' name, so the same consumer group: one member at a time.
  for (const t of running.splice(0)) await t.stop();
  const readmeTopic = await createTopic(admin, "readme-bridge", 1);
  try {
    const before = backend.received.length;
    await start(
      "## Kafka bridge",
      { ORDERS_API: backend.url, KAFKA_BROKERS: KAFKA_BROKER, ORDERS_TOPIC: readmeTopic },
      README,
    );
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: readmeTopic, messages: [{ key: "user-2", value: '{"total":7}' }] });
    await producer.disconnect();
    await waitFor(() => backend.received.length === before + 1, {
      what: "the message at the service",
      timeoutMs: 60_000,
    });
    const delivered = backend.received.at(-1);
    assert.equal(delivered?.path, `/events/${readmeTopic}`);
    assert.equal(delivered?.headers["x-kafka-key"], "user-2");

    const group = `${readmeTopic}-billing`;
    const lagging = await start("## Lag exporter", { KAFKA_BROKERS: KAFKA_BROKER, LAG_GROUP: group }, README);
    await admin.setOffsets({
      groupId: group,
      topic: readmeTopic,
      partitions: [{ partition: 0, offset: "0" }],
    });
    const lag = await waitFor(
      async () => {
        const value = await lagging.metric(METRIC_TRACEWAY_KAFKA_GROUP_LAG, {
          "messaging.consumer.group.name": group,
        });
        return value > 0 ? value : undefined;
      },
      { what: "the group's lag exported", timeoutMs: 40_000, intervalMs: 250 },
    );
    assert.equal(lag, 1, "one message behind offset 0");
  } finally {
    await admin.deleteTopics({ topics: [readmeTopic] }).catch(() => undefined);
  }
});

void test("the bridge metrics table lists exactly the bridge's metrics", () => {
  const documented = markdownTable(PAGE, "### Telemetry").map(
    (cells) => /`([^`]+)`/.exec(cells[0] ?? "")?.[1],
  );
  const emitted = CUSTOM_NAMES.filter((n) => n.kind === "metric" && n.name.includes(".kafka.bridge.")).map(
    (n) => n.name,
  );
  assert.deepEqual([...documented].sort(), [...emitted].sort());
});
