import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { Kafka, logLevel } from "kafkajs";
import type { Admin } from "kafkajs";
import { instrumentConsumer, instrumentProducer } from "../../../interceptors/kafka/index.ts";
import { prometheusCompatibleHandler } from "../../../interceptors/metrics/index.ts";
import {
  addScrapeTarget,
  ensureServices,
  KAFKA_BROKER,
  promQuery,
  waitForScrape,
} from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// The consumed-messages counter, scraped by a real Prometheus, equals the number of messages produced;
// so do the duration histograms, which the interceptors pre-aggregate by default and attach to this
// plain MeterProvider's PrometheusExporter themselves (no `histograms` option, no metricProducers).
// Served with the compatibility names (`_seconds`), as the docs advise.
const N = 25;
const topic = `traceway-prom-${randomUUID()}`;
const groupId = `traceway-prom-${randomUUID()}`;
const job = `traceway-kafka-${randomUUID().slice(0, 8)}`;
const kafka = new Kafka({
  clientId: "traceway-prom-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.ERROR,
});
const exporter = new PrometheusExporter({ preventServerStart: true });
const meterProvider = new MeterProvider({ readers: [exporter] });
const server = createServer(prometheusCompatibleHandler(exporter));
let admin: Admin;
let removeTarget: (() => Promise<void>) | undefined;

before(async () => {
  await ensureServices("kafka", "prometheus");
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  removeTarget = await addScrapeTarget({ job, target: `127.0.0.1:${port}` });
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
});

after(async () => {
  await removeTarget?.();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await meterProvider.shutdown();
  await new Promise((resolve) => server.close(resolve));
});

void test("Prometheus scrapes consumed messages and the default (pre-aggregated) histograms summing to N", async (t) => {
  const producer = instrumentProducer(kafka.producer(), { meterProvider });
  await producer.connect();
  await producer.send({
    topic,
    messages: Array.from({ length: N }, (_, i) => ({ key: `k${i}`, value: `${i}` })),
  });
  await producer.disconnect();

  const consumer = instrumentConsumer(kafka.consumer({ groupId }), { groupId, meterProvider });
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
    await waitFor(() => seen === N, { what: `${N} messages consumed`, timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }

  await waitForScrape(job);
  const consumedExpr = `sum(messaging_client_consumed_messages_total{job="${job}",messaging_destination_name="${topic}"})`;
  const consumed = await waitFor(
    async () => {
      const [sample] = await promQuery(consumedExpr);
      return sample?.value === N ? sample : undefined;
    },
    { what: `${consumedExpr} == ${N}`, timeoutMs: 20_000, intervalMs: 250 },
  );
  const perPartition = await promQuery(
    `messaging_client_consumed_messages_total{job="${job}",messaging_destination_name="${topic}"}`,
  );
  t.diagnostic(`${consumedExpr} = ${consumed.value} (N = ${N}), ${perPartition.length} partition series`);
  assert.equal(consumed.value, N);
  const [sent] = await promQuery(
    `sum(messaging_client_sent_messages_total{job="${job}",messaging_destination_name="${topic}"})`,
  );
  assert.equal(sent?.value, N);

  const [processed] = await promQuery(
    `sum(messaging_process_duration_seconds_count{job="${job}",messaging_destination_name="${topic}"})`,
  );
  assert.equal(processed?.value, N, "one process-duration point per message, exported with no set-up");
  const [sendCalls] = await promQuery(
    `sum(messaging_client_operation_duration_seconds_count{job="${job}",messaging_operation_name="send",messaging_destination_name="${topic}"})`,
  );
  assert.equal(sendCalls?.value, 1, "one send call");
  const labelled = await promQuery(
    `messaging_process_duration_seconds_count{job="${job}",messaging_destination_name="${topic}",` +
      `messaging_system_name="kafka",messaging_consumer_group_name="${groupId}",server_address!="",server_port!=""}`,
  );
  t.diagnostic(`process-duration series with group and broker: ${labelled.length}`);
  assert.equal(
    labelled.reduce((sum, sample) => sum + sample.value, 0),
    N,
    "every point has group and broker",
  );
});
