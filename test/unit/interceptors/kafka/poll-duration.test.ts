import assert from "node:assert/strict";
import { after, test } from "node:test";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { CONSUMER_EVENTS, createFakeConsumer } from "./fake-consumer.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

void test("each kafkajs fetch is one poll (receive) operation, per broker node, on the telemetry clock", async () => {
  const clock = new ManualClock(0);
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    meterProvider: telemetry.meterProvider,
    groupId: "pollers",
    clock,
  });
  await consumer.subscribe({ topic: "polled" });
  fake.emit(CONSUMER_EVENTS.REQUEST, { broker: "127.0.0.1:19092" });
  fake.emit(CONSUMER_EVENTS.FETCH_START, { nodeId: "1" });
  clock.advance(5);
  fake.emit(CONSUMER_EVENTS.FETCH_START, { nodeId: "2" });
  clock.advance(20);
  fake.emit(CONSUMER_EVENTS.FETCH, { nodeId: "1", duration: 25, numberOfBatches: 0 });
  clock.advance(100);
  fake.emit(CONSUMER_EVENTS.FETCH, { nodeId: "2", duration: 120, numberOfBatches: 0 });
  fake.emit(CONSUMER_EVENTS.FETCH, { nodeId: "3", duration: 1, numberOfBatches: 0 });

  const polls = await telemetry.histogram("messaging.client.operation.duration", {
    "messaging.system.name": "kafka",
    "messaging.operation.name": "poll",
    "messaging.operation.type": "receive",
    "messaging.consumer.group.name": "pollers",
    "messaging.destination.name": "polled",
    "server.address": "127.0.0.1",
    "server.port": 19092,
  });
  assert.equal(polls?.count, 2, "a fetch end without its start is not a poll");
  assert.equal(polls?.sum, 0.025 + 0.12);
});

void test("a consumer of several topics (or a pattern) polls without a destination", async () => {
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    meterProvider: telemetry.meterProvider,
    groupId: "many",
  });
  await consumer.subscribe({ topics: ["a", /b-.*/] });
  fake.emit(CONSUMER_EVENTS.FETCH_START, { nodeId: "1" });
  fake.emit(CONSUMER_EVENTS.FETCH, { nodeId: "1" });
  const polls = await telemetry.histogram("messaging.client.operation.duration", {
    "messaging.consumer.group.name": "many",
    "messaging.destination.name": undefined,
  });
  assert.equal(polls?.count, 1);
});
