import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { IHeaders } from "kafkajs";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { createFakeConsumer, message } from "./fake-consumer.ts";
import { createTestTelemetry, enableContextManager } from "./telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

class MarkerError extends Error {}

const producerTraceId = "0af7651916cd43dd8448eb211c80319c";
const producerSpanId = "b7ad6b7169203331";
const headers: IHeaders = { traceparent: Buffer.from(`00-${producerTraceId}-${producerSpanId}-01`) };

void test("eachMessage: process span continues the producer's trace; metrics per topic, group, partition", async () => {
  const clock = new ManualClock(0);
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId: "billing",
    clientId: "svc-1",
    clock,
    now: () => 1_700_000_000_000 + 2_500,
  });
  let activeTraceId: string | undefined;
  await consumer.run({
    eachMessage: async () => {
      activeTraceId = trace.getActiveSpan()?.spanContext().traceId;
      clock.advance(40);
      await Promise.resolve();
    },
  });
  const heartbeat = () => Promise.resolve();
  const pause = () => () => {};
  await fake.runConfig().eachMessage?.({
    topic: "orders",
    partition: 2,
    message: message(7, { headers }),
    heartbeat,
    pause,
  });
  await fake.runConfig().eachMessage?.({
    topic: "orders",
    partition: 2,
    message: message(8, { headers: {} }),
    heartbeat,
    pause,
  });

  const [ok] = telemetry.spans().filter((s) => s.attributes["kafka.offset"] === 7);
  assert.ok(ok);
  assert.equal(ok.name, "process orders");
  assert.equal(ok.kind, SpanKind.CONSUMER);
  assert.equal(ok.spanContext().traceId, producerTraceId);
  assert.equal(ok.parentSpanContext?.spanId, producerSpanId);
  assert.deepEqual(
    ok.links.map((l) => l.context.spanId),
    [producerSpanId],
    "and links to it, as semconv asks of every process span",
  );
  assert.notEqual(activeTraceId, producerTraceId, "the second message (no headers) started its own trace");
  const root = telemetry.spans().find((s) => s.attributes["kafka.offset"] === 8);
  assert.equal(root?.parentSpanContext, undefined);
  assert.deepEqual(root?.links, [], "no creation context, no link");
  assert.equal(activeTraceId, root?.spanContext().traceId, "the handler runs inside the process span");
  assert.deepEqual(
    {
      system: ok.attributes["messaging.system.name"],
      destination: ok.attributes["messaging.destination.name"],
      group: ok.attributes["messaging.consumer.group.name"],
      partition: ok.attributes["messaging.destination.partition.id"],
      client: ok.attributes["messaging.client.id"],
      type: ok.attributes["messaging.operation.type"],
      name: ok.attributes["messaging.operation.name"],
      key: ok.attributes["kafka.message.key"],
    },
    {
      system: "kafka",
      destination: "orders",
      group: "billing",
      partition: "2",
      client: "svc-1",
      type: "process",
      name: "process",
      key: undefined,
    },
  );

  const labels = {
    "messaging.destination.name": "orders",
    "messaging.consumer.group.name": "billing",
    "messaging.destination.partition.id": "2",
  };
  assert.equal(await telemetry.value("messaging.client.consumed.messages", labels), 2);
  const durations = await telemetry.histogram("messaging.process.duration", {
    ...labels,
    "error.type": undefined,
  });
  assert.equal(durations?.count, 2);
  assert.equal(durations?.sum, 0.08, "40 ms each, measured on the injected clock");
  const e2e = await telemetry.histogram("traceway.messaging.e2e.duration", labels);
  assert.equal(e2e?.count, 2);
  assert.equal(e2e?.min, 2.492, "now − message timestamp (offset 8 was stamped 8 ms after epoch base)");
});

void test("eachMessage: a throwing handler is re-thrown unchanged; span ERROR, error counted by type", async () => {
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId: "g-err",
  });
  const thrown = new MarkerError("poison");
  await consumer.run({
    eachMessage: () => Promise.reject(thrown),
  });
  await assert.rejects(
    fake.runConfig().eachMessage?.({
      topic: "errs",
      partition: 0,
      message: message(3),
      heartbeat: () => Promise.resolve(),
      pause: () => () => {},
    }) ?? Promise.resolve(),
    (error) => error === thrown,
  );
  const span = telemetry.spans().find((s) => s.attributes["messaging.destination.name"] === "errs");
  assert.equal(span?.status.code, SpanStatusCode.ERROR);
  assert.equal(span?.attributes["error.type"], "MarkerError");
  assert.equal(
    await telemetry.value("traceway.messaging.process.errors", {
      "messaging.destination.name": "errs",
      "error.type": "MarkerError",
    }),
    1,
  );
  const failed = await telemetry.histogram("messaging.process.duration", {
    "messaging.destination.name": "errs",
    "error.type": "MarkerError",
  });
  assert.equal(failed?.count, 1);
  assert.equal((await telemetry.metric("traceway.messaging.process.errors"))?.descriptor.unit, "{message}");
});

void test("a broken tracer costs the span, never the message", async () => {
  const fake = createFakeConsumer();
  const brokenTracerProvider = {
    getTracer: () => ({
      startSpan: () => {
        throw new Error("exporter bug");
      },
      startActiveSpan: () => {
        throw new Error("exporter bug");
      },
    }),
  };
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: brokenTracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  const handled: string[] = [];
  await consumer.run({
    eachMessage: ({ message: m }) => {
      handled.push(m.offset);
      return Promise.resolve();
    },
  });
  await fake.runConfig().eachMessage?.({
    topic: "t",
    partition: 0,
    message: message(1, { headers }),
    heartbeat: () => Promise.resolve(),
    pause: () => () => {},
  });
  assert.deepEqual(handled, ["1"]);
});
