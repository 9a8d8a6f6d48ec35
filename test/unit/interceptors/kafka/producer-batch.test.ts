import assert from "node:assert/strict";
import { after, test } from "node:test";
import { context, SpanKind, trace } from "@opentelemetry/api";
import { instrumentProducer } from "../../../../interceptors/kafka/index.ts";
import { createFakeProducer, traceparentOf } from "./fake-producer.ts";
import { createTestTelemetry, enableContextManager } from "./telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

const ownTraceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

void test("a batch: one CLIENT send span linked to a create span per message, each injected into its message", async () => {
  const fake = createFakeProducer();
  const traced = instrumentProducer(fake.producer, { tracerProvider: telemetry.tracerProvider });
  const parent = telemetry.tracerProvider.getTracer("test").startSpan("job");
  await context.with(trace.setSpan(context.active(), parent), () =>
    traced.sendBatch({
      topicMessages: [
        { topic: "b1", messages: [{ value: "1" }] },
        { topic: "b2", messages: [{ value: "2" }, { value: "3", headers: { traceparent: ownTraceparent } }] },
      ],
    }),
  );
  parent.end();
  const mine = telemetry.spans().filter((s) => s.spanContext().traceId === parent.spanContext().traceId);
  const send = mine.find((s) => s.attributes["messaging.operation.type"] === "send");
  assert.ok(send);
  assert.equal(send.name, "send", "two topics: no destination in the name");
  assert.equal(send.kind, SpanKind.CLIENT, "not the creation context of the messages");
  assert.equal(send.attributes["messaging.batch.message_count"], 3);
  assert.equal(send.attributes["messaging.destination.name"], undefined);
  const creates = mine.filter((s) => s.attributes["messaging.operation.type"] === "create");
  assert.deepEqual(
    creates.map((s) => [s.name, s.kind, s.parentSpanContext?.spanId]),
    [
      ["create b1", SpanKind.PRODUCER, parent.spanContext().spanId],
      ["create b2", SpanKind.PRODUCER, parent.spanContext().spanId],
    ],
    "one per message without a creation context of its own, siblings of the send span",
  );
  const messages = fake.batches[0]?.topicMessages?.flatMap((t) => t.messages) ?? [];
  assert.deepEqual(
    messages.map((m) => m.headers?.["traceparent"]),
    [...creates.map((s) => traceparentOf(s.spanContext())), ownTraceparent],
    "each message carries its own creation context; one the application set is kept",
  );
  assert.deepEqual(
    send.links.map((l) => l.context.spanId),
    [...creates.map((s) => s.spanContext().spanId), "b7ad6b7169203331"],
    "the send span links to every message's creation context, in message order",
  );
});

void test("createSpans: false makes the send span (PRODUCER) every message's creation context", async () => {
  const fake = createFakeProducer();
  const traced = instrumentProducer(fake.producer, {
    tracerProvider: telemetry.tracerProvider,
    createSpans: false,
  });
  await traced.send({ topic: "plain", messages: [{ value: "1" }, { value: "2" }] });
  const spans = telemetry.spans().filter((s) => s.attributes["messaging.destination.name"] === "plain");
  assert.equal(spans.length, 1);
  const [send] = spans;
  assert.equal(send?.kind, SpanKind.PRODUCER);
  assert.equal(send?.attributes["messaging.batch.message_count"], 2);
  const headers = fake.sent[0]?.messages.map((m) => m.headers?.["traceparent"]);
  assert.ok(send);
  assert.deepEqual(headers, [traceparentOf(send.spanContext()), traceparentOf(send.spanContext())]);
});

void test("a batch sent outside any trace stays one trace: create spans are children of the send span", async () => {
  const fake = createFakeProducer();
  const traced = instrumentProducer(fake.producer, { tracerProvider: telemetry.tracerProvider });
  await traced.send({ topic: "orphan", messages: [{ value: "1" }, { value: "2" }] });
  const spans = telemetry.spans().filter((s) => s.attributes["messaging.destination.name"] === "orphan");
  const send = spans.find((s) => s.attributes["messaging.operation.type"] === "send");
  const creates = spans.filter((s) => s.attributes["messaging.operation.type"] === "create");
  assert.ok(send);
  assert.equal(creates.length, 2);
  for (const create of creates) {
    assert.equal(create.parentSpanContext?.spanId, send.spanContext().spanId);
    assert.equal(create.spanContext().traceId, send.spanContext().traceId);
  }
});
