import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { closedPort } from "../../helpers/http-backend.ts";
import { consumerGroupDescribe, ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { createTopic, testKafka } from "../kafka/bridge/bridge-fixture.ts";
import { consumeAndLeave, produceCounts } from "../kafka/lag/lag-fixture.ts";
import { scrape, startInstance, type Instance, type Sample } from "./instance.ts";

/** The lag gauge in messages (not the `time_lag` one in seconds). */
const LAG = /^traceway_messaging_kafka_consumer_group_lag(_messages)?$/;

/** The instance's lag series of one partition, as the scrape serves them (one, if the exporter runs once). */
function lagSeries(samples: readonly Sample[], topic: string, partition: number): Sample[] {
  return samples.filter(
    (s) =>
      LAG.test(s.name) &&
      s.labels["messaging_destination_name"] === topic &&
      s.labels["messaging_destination_partition_id"] === String(partition),
  );
}

// With two workers the lag exporter runs in one of them (slot 1): the instance's scrape shows each
// partition's lag once, equal to kafka-consumer-groups --describe (two exporters would double it),
// and after that worker is SIGKILLed its replacement exports again.
describe("the Kafka lag exporter in a two-worker instance", () => {
  let kafka: Kafka;
  let admin: Admin;
  let topic: string;
  let group: string;
  let instance: Instance;
  let metricsUrl: string;

  before(async () => {
    await ensureServices("kafka");
    kafka = testKafka(KAFKA_BROKER);
    admin = kafka.admin();
    await admin.connect();
    topic = await createTopic(admin, "workers-lag", 3);
    group = `${topic}-plain`;
    await produceCounts(kafka, topic, [10, 10, 10]);
    await consumeAndLeave(kafka, group, topic, 30);
    await produceCounts(kafka, topic, [7, 3, 0]);
    metricsUrl = `http://127.0.0.1:${await closedPort()}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        'upstreams: { api: { backends: [{ url: "http://127.0.0.1:9" }] } }',
        `telemetry: { prometheus: { listen: "${new URL(metricsUrl).host}" } }`,
        "logging: { level: info, accessLog: false }",
        "kafka:",
        `  brokers: ["${KAFKA_BROKER}"]`,
        `  lag: { groups: [${group}], interval: 1s }`,
      ].join("\n"),
    );
  });
  after(async () => {
    await instance?.stop();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  /** Waits until every partition shows one lag series with the given values. */
  async function lagIs(expected: readonly number[], what: string): Promise<void> {
    await waitFor(
      async () => {
        const samples = await scrape(metricsUrl);
        const seen = expected.map((_, p) => lagSeries(samples, topic, p).map((s) => s.value));
        return seen.every((values, p) => values.length === 1 && values[0] === expected[p]);
      },
      { what, timeoutMs: 30_000, intervalMs: 250 },
    );
  }

  it("exports each partition's lag once, equal to kafka-consumer-groups", async (t) => {
    const rows = await consumerGroupDescribe(group);
    assert.deepEqual(
      rows.map((r) => r.lag),
      [7, 3, 0],
    );
    await lagIs(
      rows.map((r) => r.lag ?? NaN),
      "one lag series per partition equal to kafka-consumer-groups' LAG",
    );
    t.diagnostic(
      `kafka-consumer-groups LAG ${rows.map((r) => r.lag).join("/")}; the instance's scrape the same, once`,
    );
  });

  it("runs again in the replacement of the worker that ran it", async () => {
    const owner = instance.workers.get(1);
    assert.ok(owner !== undefined, "a worker in slot 1");
    const mark = instance.lines().length;
    process.kill(owner, "SIGKILL");
    await instance.waitForLine(
      (l) => l.pid === instance.primary && l.msg === "worker replaced",
      "the worker replaced",
      mark,
    );
    // Only an exporter that runs after the kill can see these.
    await produceCounts(kafka, topic, [0, 0, 4]);
    await lagIs([7, 3, 4], "the new messages' lag from the replacement's exporter");
  });
});
