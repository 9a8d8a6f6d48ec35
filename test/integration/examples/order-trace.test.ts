import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import type { Consumer, KafkaMessage } from "kafkajs";
import { waitForTrace } from "../../helpers/jaeger.ts";
import type { JaegerSpan } from "../../helpers/jaeger.ts";
import { ensureServices, JAEGER_OTLP_HTTP, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, startGinService, startWorker, uniqueNames } from "./example-processes.ts";
import type { ExampleProcess, GinService, LogLine } from "./example-processes.ts";

// One order, one trace: the caller's traceparent → the Gin service's SERVER span → its PRODUCER span,
// whose context rides in the Kafka message headers → the worker's `process` span; and both
// processes' JSON log lines carry that trace id.
const { topic } = uniqueNames("order-trace");
const group = `${topic}-worker`;
const kafka = new Kafka({
  clientId: "order-trace-test",
  brokers: [KAFKA_BROKER],
  logLevel: logLevel.NOTHING,
});
let service: GinService;
let worker: ExampleProcess;
let reader: Consumer;
const messages: KafkaMessage[] = [];

before(
  async () => {
    await ensureServices("kafka", "jaeger");
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
    await admin.disconnect();
    service = await startGinService([
      "--etcd",
      "",
      "--kafka",
      KAFKA_BROKER,
      "--topic",
      topic,
      "--otlp",
      JAEGER_OTLP_HTTP,
    ]);
    worker = await startWorker([
      "--brokers",
      KAFKA_BROKER,
      "--topic",
      topic,
      "--group",
      group,
      "--otlp",
      JAEGER_OTLP_HTTP,
    ]);
    // A plain consumer in its own group reads the raw message, headers and all.
    reader = kafka.consumer({ groupId: `${topic}-reader` });
    await reader.connect();
    await reader.subscribe({ topic, fromBeginning: true });
    await reader.run({ eachMessage: ({ message }) => Promise.resolve(void messages.push(message)) });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await reader?.disconnect();
  await worker?.stop();
  await service?.stop();
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.deleteGroups([group, `${topic}-reader`]).catch(() => undefined);
  await admin.disconnect();
});

const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

function assertSeedFields(line: LogLine, service: string, traceId: string): void {
  assert.equal(line["trace_id"], traceId);
  assert.match(String(line["span_id"]), /^[0-9a-f]{16}$/);
  assert.equal(line["trace_flags"], "01");
  assert.equal(line["level"], "info");
  assert.equal(line["service_name"], service);
  assert.match(String(line["timestamp"]), TIMESTAMP);
}

function one(spans: JaegerSpan[], name: string): JaegerSpan {
  const found = spans.filter((s) => s.name === name);
  assert.equal(found.length, 1, `one span named ${name} in ${spans.map((s) => s.name).join(", ")}`);
  return found[0]!;
}

void test("POST /orders with a traceparent: Gin SERVER → send → Kafka headers → worker process, one trace id", async (t) => {
  const traceId = randomBytes(16).toString("hex");
  const callerSpanId = randomBytes(8).toString("hex");
  const response = await fetch(`${service.url}/orders`, {
    method: "POST",
    headers: { "content-type": "application/json", traceparent: `00-${traceId}-${callerSpanId}-01` },
    body: JSON.stringify({ sku: "sku-007", quantity: 3, customer: "c-trace" }),
  });
  assert.equal(response.status, 201);
  const order = (await response.json()) as { id: string; published: boolean };
  assert.equal(order.published, true);

  const message = await waitFor(() => messages.find((m) => m.key?.toString() === order.id), {
    what: `order ${order.id} on ${topic}`,
    timeoutMs: 30_000,
  });
  const traceparent = message.headers?.["traceparent"]?.toString() ?? "";
  assert.match(
    traceparent,
    new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`),
    "the message carries the request's trace",
  );

  const processed = await worker.waitForLine("order processed", (l) => l["order_id"] === order.id, 30_000);
  assertSeedFields(processed, "kafka-worker", traceId);
  assertSeedFields(
    await service.waitForLine("request", (l) => l["trace_id"] === traceId),
    "gin-service",
    traceId,
  );
  assertSeedFields(
    await service.waitForLine("order accepted", (l) => l["order_id"] === order.id),
    "gin-service",
    traceId,
  );

  const spans = await waitFor(
    async () => {
      const found = await waitForTrace(traceId, { minSpans: 3, timeoutMs: 30_000 });
      return found.some((s) => s.name === `process ${topic}`) ? found : undefined;
    },
    { what: `the worker's span in trace ${traceId}`, timeoutMs: 30_000, intervalMs: 500 },
  );
  const server = one(spans, "POST /orders");
  const send = one(spans, `send ${topic}`);
  const processSpan = one(spans, `process ${topic}`);
  assert.deepEqual(
    [server.kind, server.serviceName, server.parentSpanId],
    ["server", "gin-service", callerSpanId],
  );
  assert.equal(server.attributes["http.route"], "/orders");
  assert.equal(server.attributes["http.response.status_code"], 201);
  assert.deepEqual(
    [send.kind, send.serviceName, send.parentSpanId],
    ["producer", "gin-service", server.spanId],
  );
  assert.equal(traceparent.split("-")[2], send.spanId, "the header's parent is the producer span");
  assert.deepEqual(
    [processSpan.kind, processSpan.serviceName, processSpan.parentSpanId],
    ["consumer", "kafka-worker", send.spanId],
  );
  assert.equal(
    processed["span_id"],
    processSpan.spanId,
    "the worker's log line is stamped with its process span",
  );
  const insert = one(spans, "INSERT orders");
  assert.deepEqual([insert.kind, insert.parentSpanId], ["client", server.spanId]);
  assert.equal(insert.attributes["db.system.name"], "sqlite");

  const byService = new Map<string, string[]>();
  for (const s of spans)
    byService.set(s.serviceName ?? "?", [...(byService.get(s.serviceName ?? "?") ?? []), s.name]);
  t.diagnostic(
    `trace ${traceId}: ${[...byService].map(([svc, names]) => `${svc}: ${names.join(", ")}`).join(" | ")}`,
  );
});
