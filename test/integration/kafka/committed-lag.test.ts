import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { Admin, Consumer, Producer } from "kafkajs";
import {
  createLagMonitor,
  instrumentConsumer,
  instrumentProducer,
} from "../../../interceptors/kafka/index.ts";
import type { LagMonitor } from "../../../interceptors/kafka/index.ts";
import { consumerGroupDescribe, ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import type { ConsumerGroupRow } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { createTestTelemetry } from "../../unit/interceptors/kafka/telemetry-fixture.ts";

// The committed-offset lag gauge must equal the LAG column of Kafka's own kafka-consumer-groups tool.
const topic = `traceway-committed-lag-${randomUUID()}`;
const groupId = `traceway-committed-lag-${randomUUID()}`;
const kafka = new Kafka({ clientId: "traceway-lag-test", brokers: [KAFKA_BROKER], logLevel: logLevel.ERROR });
const telemetry = createTestTelemetry();
let admin: Admin;
let producer: Producer;

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  producer = instrumentProducer(kafka.producer(), { meterProvider: telemetry.meterProvider });
  await producer.connect();
});

after(async () => {
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await telemetry.shutdown();
});

async function produce(perPartition: readonly number[]): Promise<void> {
  const messages = perPartition.flatMap((count, partition) =>
    Array.from({ length: count }, (_, i) => ({ partition, value: `p${partition}-${i}` })),
  );
  if (messages.length > 0) await producer.send({ topic, messages });
}

/** Runs an instrumented consumer until it has processed `expected` messages and committed them. */
async function consume(expected: number, committed: readonly number[]): Promise<void> {
  let seen = 0;
  const consumer: Consumer = instrumentConsumer(kafka.consumer({ groupId }), {
    groupId,
    meterProvider: telemetry.meterProvider,
  });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitThreshold: 1,
      eachMessage: () => {
        seen += 1;
        return Promise.resolve();
      },
    });
    await waitFor(() => seen >= expected, { what: `${expected} messages consumed`, timeoutMs: 60_000 });
    await waitFor(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        const byPartition = new Map(offsets?.partitions.map((p) => [p.partition, Number(p.offset)]));
        return committed.every((offset, partition) => byPartition.get(partition) === offset);
      },
      { what: `group ${groupId} to commit ${committed.join("/")}`, timeoutMs: 30_000, intervalMs: 200 },
    );
  } finally {
    await consumer.disconnect();
  }
}

async function compare(
  monitor: LagMonitor,
  label: string,
  diagnostic: (message: string) => void,
): Promise<ConsumerGroupRow[]> {
  await monitor.poll();
  const rows = await consumerGroupDescribe(groupId);
  assert.equal(rows.length, 3);
  for (const row of rows) {
    const gauge = await telemetry.value("traceway.messaging.kafka.consumer_group.lag", {
      "messaging.consumer.group.name": groupId,
      "messaging.destination.name": topic,
      "messaging.destination.partition.id": String(row.partition),
    });
    diagnostic(
      `${label} partition ${row.partition}: kafka-consumer-groups CURRENT-OFFSET=${row.currentOffset} ` +
        `LOG-END-OFFSET=${row.logEndOffset} LAG=${row.lag} | traceway consumer_group.lag=${gauge}`,
    );
    assert.equal(gauge, row.lag, `partition ${row.partition}`);
  }
  return rows;
}

void test("committed-offset lag gauge equals kafka-consumer-groups LAG, then reads 0 after catching up", async (t) => {
  const monitor = createLagMonitor({ admin, groupIds: [groupId], meterProvider: telemetry.meterProvider });
  await produce([10, 10, 10]);
  await consume(30, [10, 10, 10]);
  // Consumer stopped; 7 + 3 + 0 more arrive: a known backlog.
  await produce([7, 3, 0]);
  const behind = await compare(monitor, "after consuming 30 of 40", (m) => t.diagnostic(m));
  assert.deepEqual(
    behind.map((r) => r.lag),
    [7, 3, 0],
  );

  await consume(10, [17, 13, 10]);
  const caughtUp = await compare(monitor, "after consuming all 40", (m) => t.diagnostic(m));
  assert.deepEqual(
    caughtUp.map((r) => r.lag),
    [0, 0, 0],
  );
  assert.equal(
    await telemetry.value("messaging.client.consumed.messages", {
      "messaging.destination.name": topic,
      "messaging.destination.partition.id": "0",
    }),
    17,
  );
});
