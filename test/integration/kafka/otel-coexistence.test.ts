import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { after, before, test } from "node:test";
import { propagation } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { KafkaJsInstrumentation } from "@opentelemetry/instrumentation-kafkajs";
import type * as KafkaJs from "kafkajs";
import { instrumentConsumer, instrumentProducer } from "../../../interceptors/kafka/index.ts";
import { INSTRUMENTATION_SCOPE } from "../../../interceptors/kafka/kafka-telemetry.ts";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  createTestTelemetry,
  enableContextManager,
} from "../../unit/interceptors/kafka/telemetry-fixture.ts";

// With @opentelemetry/instrumentation-kafkajs active, traceway must not inject a second traceparent
// nor count messages a second time. The instrumentation patches kafkajs through require hooks, so
// kafkajs is required (not imported) after enabling it; nothing else in this process loads it first.
enableContextManager();
propagation.setGlobalPropagator(new W3CTraceContextPropagator());
const telemetry = createTestTelemetry();
const otel = new KafkaJsInstrumentation();
otel.setTracerProvider(telemetry.tracerProvider);
otel.setMeterProvider(telemetry.meterProvider);
otel.enable();
const { Kafka, logLevel } = createRequire(import.meta.url)("kafkajs") as typeof KafkaJs;

const N = 3;
const topic = `traceway-otel-${randomUUID()}`;
const groupId = `traceway-otel-${randomUUID()}`;
const kafka = new Kafka({
  clientId: "traceway-otel-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.ERROR,
});
let admin: KafkaJs.Admin;

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true });
});

after(async () => {
  otel.disable();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await telemetry.shutdown();
});

void test("alongside instrumentation-kafkajs: one traceparent per message, one span and one count each", async (t) => {
  const options = {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId,
  };
  const rawProducer = kafka.producer();
  const producer = instrumentProducer(rawProducer, options);
  assert.equal(producer, rawProducer, "the OTel-instrumented producer is detected and left alone");
  await producer.connect();
  await producer.send({ topic, messages: Array.from({ length: N }, (_, i) => ({ value: `m${i}` })) });
  await producer.disconnect();

  const consumer = instrumentConsumer(kafka.consumer({ groupId }), options);
  const headers: KafkaJs.IHeaders[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        headers.push(message.headers ?? {});
        return Promise.resolve();
      },
    });
    await waitFor(() => headers.length === N, { what: `${N} messages consumed`, timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }

  for (const h of headers) {
    assert.ok(Buffer.isBuffer(h["traceparent"]), "exactly one traceparent value (not an array)");
  }
  const spans = telemetry.spans();
  const sendSpans = spans.filter((s) => s.name === `send ${topic}`);
  const processSpans = spans.filter((s) => s.name === `process ${topic}`);
  t.diagnostic(
    `send spans: ${sendSpans.length} (scopes ${[...new Set(sendSpans.map((s) => s.instrumentationScope.name))].join(",")}), ` +
      `process spans: ${processSpans.length} (scopes ${[...new Set(processSpans.map((s) => s.instrumentationScope.name))].join(",")})`,
  );
  assert.equal(sendSpans.length, N);
  assert.equal(processSpans.length, N);
  assert.ok(
    spans.every((s) => s.instrumentationScope.name !== INSTRUMENTATION_SCOPE),
    "no traceway spans",
  );
  // Each process span continues its send span's trace: the single header was the OTel one.
  const sendTraceIds = new Set(sendSpans.map((s) => s.spanContext().traceId));
  assert.ok(processSpans.every((s) => sendTraceIds.has(s.spanContext().traceId)));

  for (const name of [
    "messaging.client.consumed.messages",
    "messaging.client.sent.messages",
    "messaging.client.operation.duration",
  ]) {
    const scopes = (await telemetry.metricByScope(name)).filter((s) => s.data.dataPoints.length > 0);
    t.diagnostic(`${name} recorded by: ${scopes.map((s) => s.scope).join(", ")}`);
    assert.deepEqual(
      scopes.map((s) => s.scope),
      ["@opentelemetry/instrumentation-kafkajs"],
      `${name} is counted once`,
    );
  }
  // traceway's own metrics, which the OTel instrumentation does not have, are still recorded.
  const [e2e] = await telemetry.metricByScope("traceway.messaging.e2e.duration");
  assert.equal(e2e?.scope, INSTRUMENTATION_SCOPE);
});
