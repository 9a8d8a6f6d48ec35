import assert from "node:assert/strict";
import { after, test } from "node:test";
import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Message, Producer, ProducerBatch, ProducerRecord, RecordMetadata } from "kafkajs";
import { instrumentProducer } from "../../../../interceptors/kafka/index.ts";
import { createTestTelemetry, enableContextManager } from "./telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

function fakeProducer(fail = false) {
  const sent: ProducerRecord[] = [];
  const batches: ProducerBatch[] = [];
  const producer = {
    send(record: ProducerRecord): Promise<RecordMetadata[]> {
      sent.push(record);
      return fail ? Promise.reject(new TypeError("broker gone")) : Promise.resolve([]);
    },
    sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
      batches.push(batch);
      return Promise.resolve([]);
    },
  } as unknown as Producer;
  return { producer, sent, batches };
}

void test("send: one PRODUCER span per message, its context in the headers of a copy", async () => {
  const { producer, sent } = fakeProducer();
  const traced = instrumentProducer(producer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    clientId: "api",
    captureMessageKey: true,
  });
  const original: Message[] = [{ key: "k1", value: "a", headers: { custom: "x" } }, { value: "b" }];
  const parent = telemetry.tracerProvider.getTracer("test").startSpan("http request");
  await context.with(trace.setSpan(context.active(), parent), () =>
    traced.send({ topic: "out", messages: original }),
  );
  parent.end();

  assert.deepEqual(original[0]?.headers, { custom: "x" }, "the caller's message is not mutated");
  assert.equal(original[1]?.headers, undefined);
  const spans = telemetry.spans().filter((s) => s.name === "send out");
  assert.equal(spans.length, 2);
  for (const [i, span] of spans.entries()) {
    assert.equal(span.kind, SpanKind.PRODUCER);
    assert.equal(span.parentSpanContext?.spanId, parent.spanContext().spanId);
    const headers = sent[0]?.messages[i]?.headers ?? {};
    assert.equal(
      headers["traceparent"],
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
      "the consumer will continue from this send span",
    );
  }
  assert.equal(sent[0]?.messages[0]?.headers?.["custom"], "x");
  assert.equal(spans[0]?.attributes["messaging.kafka.message.key"], "k1");
  assert.equal(spans[0]?.attributes["messaging.operation.type"], "send");
  assert.equal(spans[0]?.attributes["messaging.client.id"], "api");
  assert.equal(
    await telemetry.value("messaging.client.sent.messages", { "messaging.destination.name": "out" }),
    2,
  );
});

void test("sendBatch: spans per message per topic", async () => {
  const { producer, batches } = fakeProducer();
  const traced = instrumentProducer(producer, { tracerProvider: telemetry.tracerProvider });
  await traced.sendBatch({
    topicMessages: [
      { topic: "b1", messages: [{ value: "1" }] },
      { topic: "b2", messages: [{ value: "2" }, { value: "3" }] },
    ],
  });
  assert.equal(telemetry.spans().filter((s) => s.name === "send b2").length, 2);
  assert.ok(batches[0]?.topicMessages?.[1]?.messages[1]?.headers?.["traceparent"]);
});

void test("a failed send is re-thrown, its spans are ERROR and the counter carries error.type", async () => {
  const { producer } = fakeProducer(true);
  const traced = instrumentProducer(producer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  await assert.rejects(traced.send({ topic: "down", messages: [{ value: "x" }] }), TypeError);
  const span = telemetry.spans().find((s) => s.name === "send down");
  assert.equal(span?.status.code, SpanStatusCode.ERROR);
  assert.equal(span?.attributes["error.type"], "TypeError");
  assert.equal(
    await telemetry.value("messaging.client.sent.messages", {
      "messaging.destination.name": "down",
      "error.type": "TypeError",
    }),
    1,
  );
});
