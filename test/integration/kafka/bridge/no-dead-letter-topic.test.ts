import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { ensureServices, KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeYaml,
  createTopic,
  RecordingBackend,
  startTraceway,
  testKafka,
  type Traceway,
} from "./bridge-fixture.ts";

// Without a dead-letter topic, a message that fails its last try is never skipped: its partition
// stops (paused, commits held below it) and says so in a metric and a log line; other partitions go on.
const backend = new RecordingBackend("a", (m) => (m.body === "poison" ? 503 : 200));
let kafka: Kafka;
let admin: Admin;
let topic: string;
let traceway: Traceway;
const group = () => `${topic}-bridge`;

before(async () => {
  await ensureServices("kafka");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  topic = await createTopic(admin, "bridge-stop", 2);
  await backend.start();
});

after(async () => {
  await traceway?.stop();
  await backend.kill();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

void test("no dead-letter topic: the partition stops at the message, alerts, and commits nothing past it", async () => {
  const producer = kafka.producer();
  await producer.connect();
  const batch = (partition: number, values: string[]) =>
    values.map((value) => ({ partition, key: value, value }));
  await producer.send({ topic, messages: [...batch(0, ["a", "poison", "b"]), ...batch(1, ["c", "d"])] });
  await producer.disconnect();
  traceway = await startTraceway(
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends: [backend],
      bridge: [
        "name: nodlq",
        `topics: [${topic}]`,
        `groupId: ${group()}`,
        "upstream: api",
        "startFrom: earliest",
        "retry: { tries: 2, backoff: 50ms }",
      ].join("\n"),
    }),
  );
  const stopped = { "traceway.kafka.bridge": "nodlq", "messaging.destination.partition.id": "0" };
  await waitFor(
    async () => (await traceway.metric("traceway.messaging.kafka.bridge.partition.stopped", stopped)) === 1,
    {
      what: "partition 0 reported stopped",
      timeoutMs: 60_000,
    },
  );
  await waitFor(() => backend.received.filter((r) => r.status === 200).length === 4, {
    what: "a, b, c and d delivered",
  });
  await waitFor(
    async () => {
      const [offsets] = await admin.fetchOffsets({ groupId: group(), topics: [topic] });
      const byPartition = Object.fromEntries(offsets!.partitions.map((p) => [p.partition, p.offset]));
      return byPartition[0] === "1" && byPartition[1] === "2";
    },
    { what: "partition 0 committed up to the poison (offset 1), partition 1 to its end" },
  );
  assert.deepEqual(
    backend.received.filter((r) => r.body === "poison").map((r) => r.status),
    [503, 503],
  );
  assert.equal(await traceway.metric("traceway.messaging.kafka.bridge.partition.paused", stopped), 1);
  assert.equal(
    await traceway.metric("traceway.messaging.kafka.bridge.partition.stopped", {
      "messaging.destination.partition.id": "1",
    }),
    0,
  );
  const line = traceway.logs.find((l) => String(l.msg).includes("partition stopped"));
  assert.equal(line?.level, "error");
  assert.equal(line?.offset, 1);
  assert.equal(line?.partition, 0);
  assert.equal(line?.error_type, "503");
});
