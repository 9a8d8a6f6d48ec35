import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SpanStatusCode } from "@opentelemetry/api";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { instrumentProducer } from "../../../../interceptors/kafka/index.ts";
import { createFakeProducer } from "./fake-producer.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

void test("one operation-duration point per call and sent messages per topic, with the broker", async () => {
  const clock = new ManualClock(0);
  const fake = createFakeProducer();
  const traced = instrumentProducer(fake.producer, {
    meterProvider: telemetry.meterProvider,
    tracerProvider: telemetry.tracerProvider,
    clock,
  });
  fake.request("127.0.0.1:19092");
  const sending = traced.sendBatch({
    topicMessages: [
      { topic: "m1", messages: [{ value: "1" }] },
      { topic: "m2", messages: [{ value: "2" }, { value: "3" }] },
    ],
  });
  clock.advance(12);
  await sending;
  await traced.send({ topic: "m1", messages: [{ value: "4" }] });

  const broker = { "server.address": "127.0.0.1", "server.port": 19092 };
  const calls = await telemetry.histogram("messaging.client.operation.duration", {
    ...broker,
    "messaging.system.name": "kafka",
    "messaging.operation.name": "send",
    "messaging.operation.type": "send",
    "messaging.destination.name": undefined,
  });
  assert.equal(calls?.count, 1, "the two-topic batch: one call, no single destination");
  assert.equal(calls?.sum, 0.012);
  const single = await telemetry.histogram("messaging.client.operation.duration", {
    "messaging.destination.name": "m1",
  });
  assert.equal(single?.count, 1);
  for (const [topic, count] of [
    ["m1", 2],
    ["m2", 2],
  ] as const) {
    assert.equal(
      await telemetry.value("messaging.client.sent.messages", {
        ...broker,
        "messaging.destination.name": topic,
        "messaging.operation.name": "send",
        "error.type": undefined,
      }),
      count,
      topic,
    );
  }
});

void test("a failed send is re-thrown; its span is ERROR and both metrics carry error.type", async () => {
  const fake = createFakeProducer(new TypeError("broker gone"));
  const traced = instrumentProducer(fake.producer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  await assert.rejects(traced.send({ topic: "down", messages: [{ value: "x" }, { value: "y" }] }), TypeError);
  const span = telemetry.spans().find((s) => s.name === "send down");
  assert.equal(span?.status.code, SpanStatusCode.ERROR);
  assert.equal(span?.attributes["error.type"], "TypeError");
  const failed = { "messaging.destination.name": "down", "error.type": "TypeError" };
  assert.equal(await telemetry.value("messaging.client.sent.messages", failed), 2);
  assert.equal((await telemetry.histogram("messaging.client.operation.duration", failed))?.count, 1);
});
