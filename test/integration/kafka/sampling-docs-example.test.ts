import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { runDocsExample } from "../../helpers/docs-example.ts";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";

// The docs/kafka.md sampling example, run verbatim against the real broker: TracewaySampler on both
// sides, and the default pre-aggregated histograms exported by a plain MeterProvider's exporter.
const topic = `traceway-sampling-docs-${randomUUID()}`;

after(async () => {
  const admin = new Kafka({ brokers: [KAFKA_BROKER], logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

void test("the docs/kafka.md sampling example counts every message in the default histograms", async () => {
  await ensureServices("kafka");
  const stdout = await runDocsExample("docs/kafka.md", "## Sampling", {
    timeoutMs: 90_000,
    env: { KAFKA_BROKER, KAFKA_TOPIC: topic },
  });
  assert.match(stdout, /^processed 100, process-duration count 100$/m);
});
