import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Kafka, logLevel, Partitioners, type Admin, type Consumer, type Producer } from "kafkajs";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// Proves the broker services.sh starts is a real Kafka: keyed messages spread over 3 partitions and a
// consumer group receives each of them exactly once.
const topic = `traceway-round-trip-${randomUUID()}`;
const kafka = new Kafka({ clientId: "traceway-test", brokers: [KAFKA_BROKER], logLevel: logLevel.ERROR });
let admin: Admin;
let producer: Producer;
let consumer: Consumer;

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  consumer = kafka.consumer({ groupId: `traceway-round-trip-${randomUUID()}` });
});

after(async () => {
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

void test("keyed messages land on all 3 partitions and each is consumed exactly once", async () => {
  const sent = Array.from({ length: 30 }, (_, i) => ({ key: `key-${i}`, value: `value-${i}` }));
  await producer.send({ topic, messages: sent });

  const received = new Map<string, number>();
  const partitions = new Set<number>();
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: ({ partition, message }) => {
      const value = message.value?.toString() ?? "";
      received.set(value, (received.get(value) ?? 0) + 1);
      partitions.add(partition);
      return Promise.resolve();
    },
  });

  await waitFor(() => received.size === sent.length, {
    what: `${sent.length} distinct messages on ${topic}`,
    timeoutMs: 60_000,
  });
  assert.deepEqual([...received.keys()].sort(), sent.map((m) => m.value).sort());
  assert.ok(
    [...received.values()].every((count) => count === 1),
    "no message was delivered twice",
  );
  assert.equal(partitions.size, 3);
});
