import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { context, ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { Admin, Kafka } from "kafkajs";
import { instrumentProducer } from "../../../../interceptors/index.ts";
import { waitForTrace } from "../../../helpers/jaeger.ts";
import { ensureServices, JAEGER_OTLP_HTTP, KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeYaml,
  createTopic,
  RecordingBackend,
  startTraceway,
  testKafka,
  type Traceway,
} from "./bridge-fixture.ts";

// One trace in Jaeger from the producer to the service the bridge called: the producer's span →
// the bridge's process span → traceway's CLIENT span → the backend's SERVER span.
const id = randomBytes(3).toString("hex");
const PRODUCER = `bridge-producer-${id}`;
const TRACEWAY = `traceway-bridge-${id}`;
const BACKEND = `bridge-backend-${id}`;
const w3c = new W3CTraceContextPropagator();

function provider(service: string): TracerProvider {
  return new TracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${JAEGER_OTLP_HTTP}/v1/traces` }) }),
    ],
  });
}
const producerTraces = provider(PRODUCER);
const backendTraces = provider(BACKEND);

// The backend continues the incoming trace as its own HTTP server instrumentation would.
const backend = new RecordingBackend("a", (m) => {
  const parent = w3c.extract(ROOT_CONTEXT, m.headers, {
    get: (carrier: typeof m.headers, key: string) => [carrier[key]].flat()[0],
    keys: (carrier: typeof m.headers) => Object.keys(carrier),
  });
  backendTraces
    .getTracer("backend")
    .startSpan("POST /orders (backend)", { kind: SpanKind.SERVER }, parent)
    .end();
  return 200;
});
let kafka: Kafka;
let admin: Admin;
let topic: string;
let traceway: Traceway | undefined;

before(async () => {
  await ensureServices("kafka", "jaeger");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  topic = await createTopic(admin, "bridge-trace", 1);
  await backend.start();
});

after(async () => {
  await traceway?.stop();
  await backend.kill();
  await Promise.all([producerTraces.shutdown(), backendTraces.shutdown()]);
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.disconnect();
});

void test("producer → bridge process span → traceway CLIENT span → backend span: one trace in Jaeger", async (t) => {
  traceway = await startTraceway(
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends: [backend],
      telemetry: `telemetry: { serviceName: ${TRACEWAY}, prometheus: { enabled: false }, traces: { otlpEndpoint: "${JAEGER_OTLP_HTTP}", sampleRatio: 1 } }`,
      logging: "logging: { level: info, accessLog: true }",
      bridge: [
        "name: orders",
        `topics: [${topic}]`,
        `groupId: ${topic}-bridge`,
        "upstream: api",
        "path: /orders",
        "startFrom: earliest",
      ].join("\n"),
    }),
  );
  const producer = instrumentProducer(kafka.producer(), { tracerProvider: producerTraces });
  await producer.connect();
  const root = producerTraces.getTracer("test").startSpan("place order");
  await context.with(trace.setSpan(ROOT_CONTEXT, root), () =>
    producer.send({ topic, messages: [{ key: "order-1", value: '{"id":1}' }] }),
  );
  root.end();
  await producer.disconnect();
  const traceId = root.spanContext().traceId;
  await waitFor(() => backend.received.length === 1, {
    what: "the message at the backend",
    timeoutMs: 60_000,
  });
  const { logs } = traceway;
  await traceway.stop();
  traceway = undefined;

  const spans = await waitForTrace(traceId, { minSpans: 5, timeoutMs: 30_000 });
  t.diagnostic(
    spans
      .map((s) => `${s.serviceName} ${s.kind} "${s.name}" ${s.spanId} ← ${s.parentSpanId ?? "root"}`)
      .join("\n"),
  );
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const serverSpan = spans.find((s) => s.serviceName === BACKEND && s.kind === "server");
  const clientSpan = serverSpan?.parentSpanId === undefined ? undefined : byId.get(serverSpan.parentSpanId);
  const processSpan = clientSpan?.parentSpanId === undefined ? undefined : byId.get(clientSpan.parentSpanId);
  const producerSpan =
    processSpan?.parentSpanId === undefined ? undefined : byId.get(processSpan.parentSpanId);
  assert.equal(clientSpan?.serviceName, TRACEWAY);
  assert.equal(clientSpan?.kind, "client");
  assert.equal(clientSpan?.attributes["traceway.upstream"], "api");
  assert.equal(processSpan?.serviceName, TRACEWAY);
  assert.equal(processSpan?.kind, "consumer");
  assert.equal(processSpan?.name, `process ${topic}`);
  assert.equal(producerSpan?.serviceName, PRODUCER);
  assert.equal(producerSpan?.kind, "producer");
  // The dispatch's access-log line carries the trace, and the bridge's route label.
  const line = logs.find((l) => l.msg === "access" && l.route === "kafka:orders");
  assert.equal(line?.trace_id, traceId);
  assert.equal(line?.status, 200);
  assert.equal(line?.upstream, "api");
});
