import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { HrTime } from "@opentelemetry/api";
import { Kafka, logLevel } from "kafkajs";
import type { Admin } from "kafkajs";
import { instrumentConsumer } from "../../../interceptors/kafka/index.ts";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { createTestTelemetry } from "../../unit/interceptors/kafka/telemetry-fixture.ts";

// eachBatch through a real broker: resolveOffset and heartbeat keep working, and each message's
// process span lasts as long as its own handling (the handler sleeps a different time per message).
const topic = `traceway-batch-${randomUUID()}`;
const groupId = `traceway-batch-${randomUUID()}`;
const kafka = new Kafka({
  clientId: "traceway-batch-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.ERROR,
});
const telemetry = createTestTelemetry();
let admin: Admin;

/** Sleep per message, in ms (also the message value). */
const SLEEPS = [40, 160, 80];

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: SLEEPS.map((ms) => ({ value: String(ms) })) });
  await producer.disconnect();
});

after(async () => {
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await telemetry.shutdown();
});

const toMs = (duration: HrTime): number => duration[0] * 1e3 + duration[1] / 1e6;

void test("eachBatch: resolveOffset/heartbeat work and per-message spans have their own durations", async (t) => {
  const consumer = instrumentConsumer(kafka.consumer({ groupId }), {
    groupId,
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  let processed = 0;
  let heartbeats = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async (payload) => {
        for (const message of payload.batch.messages) {
          await sleep(Number(message.value?.toString()));
          payload.resolveOffset(message.offset);
          await payload.heartbeat();
          heartbeats += 1;
          processed += 1;
        }
      },
    });
    await waitFor(() => processed === SLEEPS.length, { what: "all messages processed", timeoutMs: 60_000 });
    // Only resolved offsets are committed (auto-resolve is off), so a commit of 3 proves resolveOffset.
    await waitFor(
      async () => {
        const [offsets] = await admin.fetchOffsets({ groupId, topics: [topic] });
        return offsets?.partitions[0]?.offset === String(SLEEPS.length);
      },
      { what: "offset 3 committed through resolveOffset", timeoutMs: 30_000, intervalMs: 200 },
    );
  } finally {
    await consumer.disconnect();
  }
  assert.equal(heartbeats, SLEEPS.length);

  const spans = telemetry.spans().filter((s) => s.name === `process ${topic}`);
  const messageSpans = spans.filter((s) => s.attributes["kafka.offset"] !== undefined);
  const byOffset = new Map(messageSpans.map((s) => [s.attributes["kafka.offset"], toMs(s.duration)]));
  for (const [offset, ms] of SLEEPS.entries()) {
    const duration = byOffset.get(offset);
    t.diagnostic(`offset ${offset}: slept ${ms} ms, process span ${duration?.toFixed(1)} ms`);
    assert.ok(duration !== undefined && duration >= ms - 2, `offset ${offset} lasted at least its sleep`);
  }
  // Each span holds its own message's sleep, not the whole batch: 160 ms > 80 ms > 40 ms.
  const [d0 = 0, d1 = 0, d2 = 0] = [0, 1, 2].map((o) => byOffset.get(o) ?? 0);
  assert.ok(d1 > d2 && d2 > d0, "durations follow the per-message sleeps");
  // The batch has its own process span, parent of the per-message ones.
  const batchSpans = spans.filter((s) => s.attributes["messaging.batch.message_count"] !== undefined);
  assert.ok(batchSpans.length >= 1);
  const batchIds = new Set(batchSpans.map((s) => s.spanContext().spanId));
  assert.ok(messageSpans.every((s) => batchIds.has(s.parentSpanContext?.spanId ?? "")));
});
