import assert from "node:assert/strict";
import { after, test } from "node:test";
import { trace, TraceFlags } from "@opentelemetry/api";
import type { Attributes, Histogram, Meter, MeterProvider } from "@opentelemetry/api";
import { createNoopMeter } from "@opentelemetry/api";
import { AlwaysOffSampler, TracerProvider } from "@opentelemetry/sdk-trace";
import type { EachMessagePayload, IHeaders } from "kafkajs";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { createFakeConsumer, message } from "./fake-consumer.ts";
import { createTestTelemetry, enableContextManager } from "./telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

function payload(
  topic: string,
  partition: number,
  offset: number,
  headers: IHeaders = {},
): EachMessagePayload {
  return {
    topic,
    partition,
    message: message(offset, { headers }),
    heartbeat: () => Promise.resolve(),
    pause: () => () => {},
  };
}

/** A meter whose histograms remember the attribute object of every record. */
function recordingMeterProvider(seen: Map<string, Attributes[]>): MeterProvider {
  const noop = createNoopMeter();
  const meter: Meter = Object.create(noop) as Meter;
  meter.createHistogram = (name: string): Histogram => {
    const list: Attributes[] = [];
    seen.set(name, list);
    return { record: (_value: number, attributes?: Attributes) => void list.push(attributes ?? {}) };
  };
  return { getMeter: () => meter };
}

void test("per-message metric points reuse one attribute object per partition", async () => {
  const seen = new Map<string, Attributes[]>();
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    meterProvider: recordingMeterProvider(seen),
    groupId: "g",
  });
  await consumer.run({ eachMessage: () => Promise.resolve() });
  for (const offset of [1, 2, 3]) await fake.runConfig().eachMessage?.(payload("hot", 0, offset));
  await fake.runConfig().eachMessage?.(payload("hot", 1, 4));

  for (const name of ["messaging.process.duration", "traceway.messaging.e2e.duration"]) {
    const [first, second, third, otherPartition] = seen.get(name) ?? [];
    assert.ok(first !== undefined && otherPartition !== undefined, name);
    assert.equal(second, first, `${name}: same object for the same partition`);
    assert.equal(third, first);
    assert.notEqual(otherPartition, first);
    assert.equal(otherPartition["messaging.destination.partition.id"], "1");
  }
  assert.equal(
    seen.get("messaging.process.duration")?.[0],
    seen.get("traceway.messaging.e2e.duration")?.[0],
    "both histograms share it too",
  );
});

void test("consumed messages add up across consumers and, without the partition label, partitions", async () => {
  const options = {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId: "sum-g",
    partitionLabel: false,
  };
  const first = createFakeConsumer();
  const second = createFakeConsumer();
  await instrumentConsumer(first.consumer, options).run({ eachMessage: () => Promise.resolve() });
  await instrumentConsumer(second.consumer, options).run({ eachMessage: () => Promise.resolve() });
  await first.runConfig().eachMessage?.(payload("sum", 0, 1));
  await first.runConfig().eachMessage?.(payload("sum", 1, 1));
  await second.runConfig().eachMessage?.(payload("sum", 2, 1));

  const labels = { "messaging.destination.name": "sum", "messaging.consumer.group.name": "sum-g" };
  assert.equal(await telemetry.value("messaging.client.consumed.messages", labels), 3);
  await second.runConfig().eachMessage?.(payload("sum", 2, 2));
  assert.equal(await telemetry.value("messaging.client.consumed.messages", labels), 4, "a running total");
});

void test("a message the sampler drops still runs in its (unsampled) producer trace", async () => {
  const unsampledProvider = new TracerProvider({ sampler: new AlwaysOffSampler() });
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: unsampledProvider,
    meterProvider: telemetry.meterProvider,
  });
  const active: { traceId?: string; recording?: boolean; sampled?: boolean }[] = [];
  await consumer.run({
    eachMessage: () => {
      const span = trace.getActiveSpan();
      active.push({
        ...(span === undefined ? {} : { traceId: span.spanContext().traceId }),
        recording: span?.isRecording() ?? false,
        sampled: ((span?.spanContext().traceFlags ?? 0) & TraceFlags.SAMPLED) !== 0,
      });
      return Promise.resolve();
    },
  });
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  await fake
    .runConfig()
    .eachMessage?.(payload("drop", 0, 1, { traceparent: Buffer.from(`00-${traceId}-00f067aa0ba902b7-00`) }));
  assert.deepEqual(active, [{ traceId, recording: false, sampled: false }]);
  await unsampledProvider.shutdown();
});
