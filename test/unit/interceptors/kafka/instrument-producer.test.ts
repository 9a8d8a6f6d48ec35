import assert from "node:assert/strict";
import { after, test } from "node:test";
import { context, SpanKind, trace } from "@opentelemetry/api";
import type { Message } from "kafkajs";
import { instrumentProducer } from "../../../../interceptors/kafka/index.ts";
import { createFakeProducer, traceparentOf } from "./fake-producer.ts";
import { createTestTelemetry, enableContextManager } from "./telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

void test("send of one message: one PRODUCER send span, its context in the headers of a copy", async () => {
  const fake = createFakeProducer();
  const traced = instrumentProducer(fake.producer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    clientId: "api",
    captureMessageKey: true,
  });
  fake.request("kafka-1.internal:9093");
  const original: Message[] = [{ key: "k1", value: "abc", headers: { custom: "x" } }];
  const parent = telemetry.tracerProvider.getTracer("test").startSpan("http request");
  await context.with(trace.setSpan(context.active(), parent), () =>
    traced.send({ topic: "out", messages: original }),
  );
  parent.end();

  assert.deepEqual(original[0]?.headers, { custom: "x" }, "the caller's message is not mutated");
  const spans = telemetry.spans().filter((s) => s.attributes["messaging.destination.name"] === "out");
  assert.equal(spans.length, 1);
  const [span] = spans;
  assert.ok(span);
  assert.equal(span.name, "send out");
  assert.equal(span.kind, SpanKind.PRODUCER);
  assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
  const headers = fake.sent[0]?.messages[0]?.headers ?? {};
  assert.equal(headers["traceparent"], traceparentOf(span.spanContext()), "the consumer continues from it");
  assert.equal(headers["custom"], "x");
  assert.deepEqual(span.attributes, {
    "messaging.system.name": "kafka",
    "messaging.operation.type": "send",
    "messaging.operation.name": "send",
    "messaging.destination.name": "out",
    "messaging.client.id": "api",
    "messaging.message.body.size": 3,
    "kafka.message.key": "k1",
    "server.address": "kafka-1.internal",
    "server.port": 9093,
  });
  assert.equal(fake.listeners("producer.network.request"), 0, "the broker is learnt once");
});
