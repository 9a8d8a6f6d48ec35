import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Kafka, logLevel, type Admin, type Producer } from "kafkajs";
import { consumerGroupDescribe, ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// Proves scripts/kafka-consumer-groups.sh reports the broker's real committed offsets and lag, so later
// tests can use its LAG column as ground truth.
const topic = `traceway-lag-${randomUUID()}`;
const kafka = new Kafka({ clientId: "traceway-test", brokers: [KAFKA_BROKER], logLevel: logLevel.ERROR });
let admin: Admin;
let producer: Producer;

/** Messages written per partition: 5, 3 and 4. */
const written = [5, 3, 4];

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  producer = kafka.producer();
  await producer.connect();
  const messages = written.flatMap((count, partition) =>
    Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-m${i}` })),
  );
  await producer.send({ topic, messages });
});

after(async () => {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
});

void test("committed offsets show up as CURRENT-OFFSET, LOG-END-OFFSET and LAG", async () => {
  const groupId = `traceway-lag-${randomUUID()}`;
  await admin.setOffsets({
    groupId,
    topic,
    partitions: [
      { partition: 0, offset: "2" },
      { partition: 1, offset: "3" },
      { partition: 2, offset: "0" },
    ],
  });

  const rows = await consumerGroupDescribe(groupId);
  assert.deepEqual(
    rows.map((r) => [r.topic, r.partition, r.currentOffset, r.logEndOffset, r.lag, r.consumerId]),
    [
      [topic, 0, 2, 5, 3, null],
      [topic, 1, 3, 3, 0, null],
      [topic, 2, 0, 4, 4, null],
    ],
  );
});

void test("a consumer that read everything has lag 0 on every partition", async () => {
  const groupId = `traceway-lag-${randomUUID()}`;
  const consumer = kafka.consumer({ groupId });
  let seen = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: () => {
        seen += 1;
        return Promise.resolve();
      },
    });
    const total = written.reduce((a, b) => a + b, 0);
    await waitFor(() => seen === total, { what: `${total} messages consumed`, timeoutMs: 60_000 });

    const rows = await waitFor(
      async () => {
        const described = await consumerGroupDescribe(groupId);
        return described.length === 3 && described.every((r) => r.lag === 0) ? described : undefined;
      },
      { what: `group ${groupId} to report lag 0 on 3 partitions`, timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.deepEqual(
      rows.map((r) => r.logEndOffset),
      written,
    );
    assert.ok(
      rows.every((r) => r.consumerId !== null),
      "an active member owns each partition",
    );
  } finally {
    await consumer.disconnect();
  }
});
