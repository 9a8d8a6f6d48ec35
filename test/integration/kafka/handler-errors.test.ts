import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { SpanStatusCode } from "@opentelemetry/api";
import { Kafka, logLevel } from "kafkajs";
import type { Admin, Consumer } from "kafkajs";
import { instrumentConsumer } from "../../../interceptors/kafka/index.ts";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { createTestTelemetry } from "../../unit/interceptors/kafka/telemetry-fixture.ts";

// A handler that throws on a marker message: traceway must record the failure and change nothing in
// how kafkajs redelivers it. The same scenario runs with and without the interceptor.
const topic = `traceway-errors-${randomUUID()}`;
const kafka = new Kafka({
  clientId: "traceway-errors-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.NOTHING,
  retry: { initialRetryTime: 50, retries: 8 },
});
const telemetry = createTestTelemetry();
let admin: Admin;

class MarkerError extends Error {}

/** Fails the marker message on its first two deliveries. */
const FAILURES_PER_MARKER = 2;

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  // One partition, so the delivery order is fully determined by kafkajs.
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic, messages: ["a", "b", "marker", "c", "d"].map((value) => ({ value })) });
  await producer.disconnect();
});

after(async () => {
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await telemetry.shutdown();
});

/** Consumes the topic with a fresh group and returns the offsets in delivery order. */
async function deliveries(wrap: (consumer: Consumer, groupId: string) => Consumer): Promise<string[]> {
  const groupId = `traceway-errors-${randomUUID()}`;
  const consumer = wrap(kafka.consumer({ groupId }), groupId);
  const seen: string[] = [];
  let markerFailures = 0;
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push(message.offset);
        if (message.value?.toString() === "marker" && markerFailures < FAILURES_PER_MARKER) {
          markerFailures += 1;
          return Promise.reject(new MarkerError("marker message"));
        }
        return Promise.resolve();
      },
    });
    await waitFor(() => seen.at(-1) === "4", { what: "the last message to be processed", timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
  return seen;
}

void test("a throwing handler: error counted by topic and error.type, span ERROR, redelivery unchanged", async (t) => {
  const plain = await deliveries((consumer) => consumer);
  const instrumented = await deliveries((consumer, groupId) =>
    instrumentConsumer(consumer, {
      groupId,
      tracerProvider: telemetry.tracerProvider,
      meterProvider: telemetry.meterProvider,
    }),
  );
  t.diagnostic(`delivery order without traceway: ${plain.join(",")}`);
  t.diagnostic(`delivery order with traceway:    ${instrumented.join(",")}`);
  assert.deepEqual(instrumented, plain);
  assert.deepEqual(plain, ["0", "1", "2", "2", "2", "3", "4"], "kafkajs redelivers the failed message");

  assert.equal(
    await telemetry.value("traceway.messaging.process.errors", {
      "messaging.destination.name": topic,
      "error.type": "MarkerError",
    }),
    FAILURES_PER_MARKER,
  );
  const markerSpans = telemetry
    .spans()
    .filter((s) => s.name === `process ${topic}` && s.attributes["kafka.offset"] === 2);
  assert.deepEqual(
    markerSpans.map((s) => [s.status.code, s.attributes["error.type"]]),
    [
      [SpanStatusCode.ERROR, "MarkerError"],
      [SpanStatusCode.ERROR, "MarkerError"],
      [SpanStatusCode.UNSET, undefined],
    ],
  );
});
