import assert from "node:assert/strict";
import { after, test } from "node:test";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { CONSUMER_EVENTS, createFakeConsumer } from "./fake-consumer.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

void test("lifecycle events become counters; the group id is learnt from the first join", async () => {
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, { meterProvider: telemetry.meterProvider });
  fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { groupId: "learnt", memberId: "m", duration: 5 });
  fake.emit(CONSUMER_EVENTS.REBALANCING, { groupId: "learnt", memberId: "m" });
  fake.emit(CONSUMER_EVENTS.REBALANCING, { groupId: "learnt", memberId: "m" });
  fake.emit(CONSUMER_EVENTS.CRASH, { groupId: "learnt", error: new SyntaxError("x"), restart: true });
  fake.emit(CONSUMER_EVENTS.REQUEST_TIMEOUT, { broker: "b", clientId: "c" });
  await assert.rejects(consumer.commitOffsets([{ topic: "t", partition: 0, offset: "1" }]), /commit refused/);

  const count = (event: string, extra: Record<string, string> = {}) =>
    telemetry.value("traceway.messaging.kafka.consumer.events", {
      "messaging.consumer.group.name": "learnt",
      "traceway.kafka.event": event,
      ...extra,
    });
  assert.equal(await count("group_join"), 1);
  assert.equal(await count("rebalancing"), 2);
  assert.equal(await count("crash", { "error.type": "SyntaxError" }), 1);
  assert.equal(await count("request_timeout"), 1);
  assert.equal(await count("commit_offsets_failed", { "error.type": "Error" }), 1);
});

void test("wrapping twice returns the same wrapper: nothing is counted twice", () => {
  const fake = createFakeConsumer();
  const once = instrumentConsumer(fake.consumer, { meterProvider: telemetry.meterProvider });
  assert.equal(instrumentConsumer(once), once);
});
