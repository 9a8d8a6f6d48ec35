import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { exitWithin, startWorker, uniqueNames } from "./example-processes.ts";
import type { ExampleProcess } from "./example-processes.ts";

// The worker processes orders, skips what is not an order, reports lag on its metrics endpoint, and
// on SIGTERM commits what it processed before it exits 0.
const { topic } = uniqueNames("worker");
const group = `${topic}-group`;
const kafka = new Kafka({
  clientId: "kafka-worker-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.NOTHING,
});
let worker: ExampleProcess & { metricsUrl: string };
const ORDERS = 5;

before(async () => {
  await ensureServices("kafka");
  worker = await startWorker([
    "--brokers",
    KAFKA_BROKER,
    "--topic",
    topic,
    "--group",
    group,
    "--work-ms",
    "5",
    "--lag-interval-ms",
    "500",
  ]);
  const producer = kafka.producer();
  await producer.connect();
  const orders = Array.from({ length: ORDERS }, () => {
    const id = randomUUID();
    return { key: id, value: JSON.stringify({ id, sku: "sku-001", quantity: 1, customer: "c" }) };
  });
  await producer.send({ topic, messages: [...orders, { key: "junk", value: "not json" }] });
  await producer.disconnect();
});

after(async () => {
  await worker?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.disconnect();
});

void test("orders are processed, a non-order is skipped, lag reaches 0, SIGTERM commits and exits 0", async () => {
  await waitFor(() => worker.lines.filter((l) => l["msg"] === "order processed").length === ORDERS, {
    what: `${ORDERS} orders processed`,
    timeoutMs: 60_000,
  });
  await worker.waitForLine("message is not an order; skipped");
  const lagLine = /^traceway_messaging_kafka_consumer_group_lag\{[^}]*\} (\d+)/m;
  await waitFor(
    async () => {
      const text = await (await fetch(worker.metricsUrl)).text();
      const lags = [...text.matchAll(new RegExp(lagLine.source, "gm"))].map((m) => Number(m[1]));
      return (
        lags.length === 3 &&
        lags.every((lag) => lag === 0) &&
        /^messaging_process_duration_seconds_count/m.test(text)
      );
    },
    { what: "lag 0 on all three partitions on the worker's /metrics", timeoutMs: 30_000, intervalMs: 250 },
  );

  worker.child.kill("SIGTERM");
  const exit = await exitWithin(worker, 30_000);
  assert.deepEqual(exit, { code: 0, signal: null });
  await worker.waitForLine("stopped");
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    const total = committed!.partitions.reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    assert.equal(total, ORDERS + 1, "every message, the skipped one too, is committed");
  } finally {
    await admin.disconnect();
  }
});
