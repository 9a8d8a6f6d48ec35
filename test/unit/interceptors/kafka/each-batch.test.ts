import assert from "node:assert/strict";
import { after, test } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { HrTime } from "@opentelemetry/api";
import type { Batch, EachBatchPayload, KafkaMessage } from "kafkajs";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { createFakeConsumer, message } from "./fake-consumer.ts";
import { createTestTelemetry, enableContextManager } from "./telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

const toMs = (duration: HrTime): number => Math.round(duration[0] * 1e3 + duration[1] / 1e6);

function traceparent(i: number): string {
  return `00-${String(i).padStart(32, "a")}-${String(i).padStart(16, "b")}-01`;
}

function batchOf(topic: string, messages: KafkaMessage[], highWatermark: string): Batch {
  return {
    topic,
    partition: 1,
    highWatermark,
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]?.offset ?? null,
    lastOffset: () => messages[messages.length - 1]?.offset ?? "-1",
    offsetLag: () => "0",
    offsetLagLow: () => "0",
  };
}

function payloadFor(batch: Batch, calls: string[]): EachBatchPayload {
  return {
    batch,
    resolveOffset: (offset) => calls.push(`resolve ${offset}`),
    heartbeat: () => {
      calls.push("heartbeat");
      return Promise.resolve();
    },
    pause: () => () => {},
    commitOffsetsIfNecessary: () => Promise.resolve(),
    uncommittedOffsets: () => ({ topics: [] }),
    isRunning: () => true,
    isStale: () => false,
  };
}

void test("eachBatch: one process span for the batch, and per-message spans with each message's own duration", async () => {
  const clock = new ManualClock(0);
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId: "batchers",
    clock,
  });
  const work: Record<string, number> = { "10": 30, "11": 120, "12": 60 };
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      for (const m of payload.batch.messages) {
        clock.advance(work[m.offset] ?? 0);
        await Promise.resolve();
        payload.resolveOffset(m.offset);
        clock.advance(1000); // heartbeat time is nobody's processing time
        await payload.heartbeat();
      }
    },
  });
  const messages = [10, 11, 12].map((o) => message(o, { headers: { traceparent: traceparent(o) } }));
  const calls: string[] = [];
  await fake.runConfig().eachBatch?.(payloadFor(batchOf("batched", messages, "20"), calls));

  assert.deepEqual(calls, ["resolve 10", "heartbeat", "resolve 11", "heartbeat", "resolve 12", "heartbeat"]);
  const spans = telemetry.spans().filter((s) => s.attributes["messaging.destination.name"] === "batched");
  const batchSpans = spans.filter((s) => s.attributes["messaging.batch.message_count"] !== undefined);
  assert.equal(batchSpans.length, 1);
  const [batchSpan] = batchSpans;
  assert.ok(batchSpan);
  assert.equal(batchSpan.name, "process batched");
  assert.equal(batchSpan.kind, SpanKind.CONSUMER);
  assert.equal(batchSpan.attributes["messaging.operation.type"], "process");
  assert.equal(batchSpan.attributes["messaging.batch.message_count"], 3);
  assert.equal(batchSpan.attributes["messaging.consumer.group.name"], "batchers");
  assert.deepEqual(
    batchSpan.links.map((l) => l.context.traceId),
    [10, 11, 12].map((i) => String(i).padStart(32, "a")),
    "the batch links to every message's creation context",
  );
  const processSpans = spans.filter((s) => s.attributes["kafka.offset"] !== undefined);
  assert.deepEqual(
    processSpans.map((s) => [s.attributes["kafka.offset"], toMs(s.duration)]),
    [
      [10, 30],
      [11, 120],
      [12, 60],
    ],
  );
  for (const [i, span] of processSpans.entries()) {
    assert.equal(span.name, "process batched");
    assert.equal(span.parentSpanContext?.spanId, batchSpan.spanContext().spanId);
    assert.equal(span.kind, SpanKind.CONSUMER);
    assert.equal(span.attributes["messaging.batch.message_count"], undefined, "a single message");
    assert.deepEqual(
      span.links.map((l) => l.context.spanId),
      [String(10 + i).padStart(16, "b")],
      "each message's span links to its own creation context",
    );
  }
  const histogram = await telemetry.histogram("messaging.process.duration", {
    "messaging.destination.name": "batched",
  });
  assert.equal(histogram?.count, 3);
  assert.equal(histogram?.sum, 0.21);
  assert.equal(
    await telemetry.value("traceway.messaging.kafka.fetch.lag", { "messaging.destination.name": "batched" }),
    7,
    "high watermark 20 − last processed offset 12 − 1",
  );
});

void test("eachBatch: a throw marks the failing message and the batch span, and is re-thrown", async () => {
  const clock = new ManualClock(0);
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId: "batchers",
    clock,
  });
  const poison = new RangeError("bad record");
  await consumer.run({
    eachBatch: async (payload) => {
      for (const m of payload.batch.messages) {
        await Promise.resolve();
        if (m.offset === "21") throw poison;
        payload.resolveOffset(m.offset);
      }
    },
  });
  const calls: string[] = [];
  await assert.rejects(
    fake.runConfig().eachBatch?.(
      payloadFor(
        batchOf(
          "poisoned",
          [20, 21, 22].map((o) => message(o)),
          "23",
        ),
        calls,
      ),
    ) ?? Promise.resolve(),
    (error) => error === poison,
  );
  assert.deepEqual(calls, ["resolve 20"]);
  const spans = telemetry.spans().filter((s) => s.attributes["messaging.destination.name"] === "poisoned");
  assert.deepEqual(
    spans
      .filter((s) => s.attributes["kafka.offset"] !== undefined)
      .map((s) => [s.attributes["kafka.offset"], s.status.code, s.attributes["error.type"]]),
    [
      [20, SpanStatusCode.UNSET, undefined],
      [21, SpanStatusCode.ERROR, "RangeError"],
    ],
  );
  const batchSpan = spans.find((s) => s.attributes["messaging.batch.message_count"] === 3);
  assert.equal(batchSpan?.status.code, SpanStatusCode.ERROR);
  assert.equal(batchSpan?.attributes["error.type"], "RangeError");
  assert.equal(
    await telemetry.value("traceway.messaging.process.errors", {
      "messaging.destination.name": "poisoned",
      "error.type": "RangeError",
    }),
    1,
  );
});
