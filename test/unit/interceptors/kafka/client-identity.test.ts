import assert from "node:assert/strict";
import { after, test } from "node:test";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type { EachMessagePayload } from "kafkajs";
import { parseBroker } from "../../../../interceptors/kafka/broker-address.ts";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { CONSUMER_EVENTS, createFakeConsumer, message } from "./fake-consumer.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

function payload(offset: number): EachMessagePayload {
  return {
    topic: "ident",
    partition: 0,
    message: message(offset),
    heartbeat: () => Promise.resolve(),
    pause: () => () => {},
  };
}

void test("kafkajs broker strings parse into server.address and server.port", () => {
  assert.deepEqual(parseBroker("kafka-0.kafka:9092"), { address: "kafka-0.kafka", port: 9092 });
  assert.deepEqual(parseBroker("::1:19092"), { address: "::1", port: 19092 });
  assert.deepEqual(parseBroker("[::1]:19092"), { address: "::1", port: 19092 });
  assert.deepEqual(parseBroker("broker"), { address: "broker", port: undefined });
  assert.equal(parseBroker(""), undefined);
});

void test("group and broker label every series once known, and are left out (not '') before", async () => {
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  await consumer.run({ eachMessage: () => Promise.resolve() });
  fake.emit(CONSUMER_EVENTS.CONNECT, {});
  await fake.runConfig().eachMessage?.(payload(1));
  fake.emit(CONSUMER_EVENTS.REQUEST, { broker: "127.0.0.1:19092", apiName: "ApiVersions" });
  fake.emit(CONSUMER_EVENTS.GROUP_JOIN, { groupId: "later", memberId: "m" });
  fake.emit(CONSUMER_EVENTS.REQUEST, { broker: "10.0.0.9:9092", apiName: "Fetch" });
  await fake.runConfig().eachMessage?.(payload(2));

  const consumed = await telemetry.metric("messaging.client.consumed.messages");
  assert.equal(consumed?.dataPointType, DataPointType.SUM);
  const points = (consumed?.dataPoints ?? []).filter(
    (p) => p.attributes["messaging.destination.name"] === "ident",
  );
  assert.deepEqual(
    points.map((p) => [
      p.attributes["messaging.consumer.group.name"],
      p.attributes["server.address"],
      p.value,
    ]),
    [
      [undefined, undefined, 1],
      ["later", "127.0.0.1", 1],
    ],
    "the first broker the client talked to stands for the cluster",
  );
  assert.ok(
    points.every((p) => !Object.values(p.attributes).includes("")),
    "no attribute is ever the empty string",
  );
  const connects = await telemetry.metric("traceway.messaging.kafka.consumer.events");
  const connect = connects?.dataPoints.find((p) => p.attributes["traceway.kafka.event"] === "connect");
  assert.ok(connect !== undefined && !("messaging.consumer.group.name" in connect.attributes));
  const [span] = telemetry.spans().filter((s) => s.attributes["kafka.offset"] === 2);
  assert.equal(span?.attributes["server.address"], "127.0.0.1");
  assert.equal(span?.attributes["server.port"], 19092);
  assert.equal(span?.attributes["messaging.consumer.group.name"], "later");
});
