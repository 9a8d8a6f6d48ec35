import assert from "node:assert/strict";
import type { IncomingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import type { TextMapGetter, TextMapSetter } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { Kafka, logLevel } from "kafkajs";
import type { Admin, Consumer, Producer } from "kafkajs";
import { instrumentConsumer, instrumentProducer } from "../../../interceptors/kafka/index.ts";
import { startBalancer } from "../../../src/server/balancer.ts";
import type { RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import type { TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  createTestTelemetry,
  enableContextManager,
} from "../../unit/interceptors/kafka/telemetry-fixture.ts";

// client request → traceway balancer → HTTP backend that produces → consumer: one trace id throughout.
// The balancer runs without an observer here, so it forwards the client's traceparent as is; with the
// HTTP interceptor's observer its own span would sit between the client and the backend span.
enableContextManager();
const telemetry = createTestTelemetry();
const tracer = telemetry.tracerProvider.getTracer("e2e-test");
const w3c = new W3CTraceContextPropagator();
const topic = `traceway-e2e-${randomUUID()}`;
const groupId = `traceway-e2e-${randomUUID()}`;
const kafka = new Kafka({ clientId: "traceway-e2e-test", brokers: [KAFKA_BROKER], logLevel: logLevel.ERROR });
const options = { tracerProvider: telemetry.tracerProvider, meterProvider: telemetry.meterProvider, groupId };
let admin: Admin;
let producer: Producer;
let consumer: Consumer;
let backend: TestBackend;
let balancer: RunningBalancer;
const consumedTraceIds: string[] = [];

const requestHeaders: TextMapGetter<IncomingHttpHeaders> = {
  get: (carrier, key) => {
    const value = carrier[key];
    return Array.isArray(value) ? value[0] : value;
  },
  keys: (carrier) => Object.keys(carrier),
};
const plainHeaders: TextMapSetter<Record<string, string>> = {
  set: (carrier, key, value) => {
    carrier[key] = value;
  },
};

before(async () => {
  await ensureServices("kafka");
  admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  producer = instrumentProducer(kafka.producer(), options);
  await producer.connect();
  consumer = instrumentConsumer(kafka.consumer({ groupId }), options);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: () => {
      consumedTraceIds.push(trace.getActiveSpan()?.spanContext().traceId ?? "none");
      return Promise.resolve();
    },
  });
  // The backend continues the incoming trace the way its own HTTP server instrumentation would.
  backend = await startBackend("orders", (req, res) => {
    const incoming = w3c.extract(ROOT_CONTEXT, req.headers, requestHeaders);
    const span = tracer.startSpan("POST /orders (backend)", { kind: SpanKind.SERVER }, incoming);
    context
      .with(trace.setSpan(incoming, span), () => producer.send({ topic, messages: [{ value: "order" }] }))
      .then(
        () => res.writeHead(202).end(),
        () => res.writeHead(500).end(),
      )
      .finally(() => span.end());
  });
  balancer = await startBalancer({ config: testConfig([testUpstream("orders", [backend.url])]) });
});

after(async () => {
  await balancer.close();
  await backend.kill();
  await consumer.disconnect();
  await producer.disconnect();
  await admin.deleteTopics({ topics: [topic] });
  await admin.disconnect();
  await telemetry.shutdown();
});

void test("an HTTP request through the balancer and the message it causes share one trace", async (t) => {
  const root = tracer.startSpan("client POST /orders", { kind: SpanKind.CLIENT });
  const headers: Record<string, string> = {};
  w3c.inject(trace.setSpan(ROOT_CONTEXT, root), headers, plainHeaders);
  const response = await httpGet(`${balancer.url}/orders`, { method: "POST", headers });
  root.end();
  assert.equal(response.status, 202);
  await waitFor(() => consumedTraceIds.length === 1, {
    what: "the order message consumed",
    timeoutMs: 60_000,
  });

  const traceId = root.spanContext().traceId;
  const spans = telemetry.spans().filter((s) => s.spanContext().traceId === traceId);
  const byName = new Map(spans.map((s) => [s.name, s]));
  const backendSpan = byName.get("POST /orders (backend)");
  const send = byName.get(`send ${topic}`);
  const processSpan = byName.get(`process ${topic}`);
  t.diagnostic(`trace ${traceId}: ${spans.map((s) => s.name).join(" → ")}`);
  assert.equal(consumedTraceIds[0], traceId, "the consumer's handler ran in the request's trace");
  assert.equal(backendSpan?.parentSpanContext?.spanId, root.spanContext().spanId);
  assert.equal(send?.parentSpanContext?.spanId, backendSpan?.spanContext().spanId);
  assert.equal(processSpan?.parentSpanContext?.spanId, send?.spanContext().spanId);
});
