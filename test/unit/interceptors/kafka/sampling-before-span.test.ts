import assert from "node:assert/strict";
import { after, test } from "node:test";
import { context, ROOT_CONTEXT, trace, TraceFlags } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  InMemorySpanExporter,
  ParentBasedSampler,
  SamplingDecision,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { Sampler } from "@opentelemetry/sdk-trace";
import type { EachMessagePayload, IHeaders } from "kafkajs";
import { instrumentConsumer, instrumentProducer, TracewaySampler } from "../../../../interceptors/index.ts";
import { createFakeConsumer, message } from "./fake-consumer.ts";
import { createFakeProducer } from "./fake-producer.ts";
import { enableContextManager, PullMetricReader } from "./telemetry-fixture.ts";

enableContextManager();
const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** A tracer provider that counts every span its tracer was asked for (`otel.sdk.span.started`). */
function countingProvider(sampler: Sampler) {
  const exporter = new InMemorySpanExporter();
  const reader = new PullMetricReader();
  const selfMetrics = new MeterProvider({ readers: [reader] });
  const tracerProvider = new TracerProvider({
    sampler,
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
    meterProvider: selfMetrics,
  });
  cleanups.push(
    () => tracerProvider.shutdown(),
    () => selfMetrics.shutdown(),
  );
  return {
    tracerProvider,
    exported: () => exporter.getFinishedSpans(),
    async started(): Promise<number> {
      const { resourceMetrics } = await reader.collect();
      const data = resourceMetrics.scopeMetrics
        .flatMap((s) => s.metrics)
        .find((m) => m.descriptor.name === "otel.sdk.span.started");
      return (data?.dataPoints as { value: number }[] | undefined)?.reduce((sum, p) => sum + p.value, 0) ?? 0;
    },
  };
}

function payload(offset: number, headers: IHeaders = {}): EachMessagePayload {
  return {
    topic: "sampled",
    partition: 0,
    message: message(offset, { headers }),
    heartbeat: () => Promise.resolve(),
    pause: () => () => {},
  };
}

const parentTrace = (i: number, sampled: boolean): IHeaders => ({
  traceparent: Buffer.from(
    `00-${String(i).padStart(32, "a")}-${String(i).padStart(16, "b")}-0${sampled ? 1 : 0}`,
  ),
});

void test("SDK parent-based sampler: a message under an unsampled parent never reaches the tracer", async () => {
  const traced = countingProvider(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.5) }));
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, { tracerProvider: traced.tracerProvider });
  const seen: { traceId?: string; recording: boolean }[] = [];
  await consumer.run({
    eachMessage: () => {
      const span = trace.getActiveSpan();
      seen.push({
        ...(span && { traceId: span.spanContext().traceId }),
        recording: span?.isRecording() ?? false,
      });
      return Promise.resolve();
    },
  });
  const flags = [false, true, false, false, true];
  for (const [i, sampled] of flags.entries())
    await fake.runConfig().eachMessage?.(payload(i, parentTrace(i, sampled)));

  assert.equal(await traced.started(), 2, "only the two sampled-parent messages asked the tracer");
  assert.equal(traced.exported().length, 2);
  assert.deepEqual(
    seen.map((s) => [s.traceId, s.recording]),
    flags.map((sampled, i) => [String(i).padStart(32, "a"), sampled]),
    "an unsampled message still runs in its producer's trace",
  );
});

void test("TracewaySampler: an unsampled root makes no span, yet its handler's spans stay unsampled", async () => {
  const draws = [0.05, 0.5, 0.7, 0.02];
  const traced = countingProvider(new TracewaySampler({ ratio: 0.1, random: () => draws.shift() ?? 1 }));
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, { tracerProvider: traced.tracerProvider });
  const handlerTracer = traced.tracerProvider.getTracer("handler");
  const roots: (string | undefined)[] = [];
  await consumer.run({
    eachMessage: () => {
      const child = handlerTracer.startSpan("handler work");
      roots.push(child.isRecording() ? child.spanContext().traceId : undefined);
      child.end();
      return Promise.resolve();
    },
  });
  for (const offset of [1, 2, 3, 4]) await fake.runConfig().eachMessage?.(payload(offset));

  const process = traced.exported().filter((s) => s.name === "process sampled");
  assert.deepEqual(
    process.map((s) => s.attributes["kafka.offset"]),
    [1, 4],
    "draws 0.05 and 0.02 are under 0.1",
  );
  assert.equal(
    await traced.started(),
    2 + 4,
    "two process spans and the handler's own four: nothing for the two unsampled roots",
  );
  assert.deepEqual(
    roots,
    [process[0]?.spanContext().traceId, undefined, undefined, process[1]?.spanContext().traceId],
    "a dropped root's handler span is dropped with it, not sampled as a root of its own",
  );
});

void test("an unknown sampler is asked for every span, with the semconv's sampling attributes", async () => {
  const asked: Attributes[] = [];
  const everything: Sampler = {
    shouldSample: (_context, _traceId, _name, _kind, attributes) => {
      asked.push(attributes);
      return { decision: SamplingDecision.RECORD_AND_SAMPLED };
    },
    toString: () => "Everything",
  };
  const traced = countingProvider(everything);
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, { tracerProvider: traced.tracerProvider, groupId: "g" });
  await consumer.run({ eachMessage: () => Promise.resolve() });
  await fake.runConfig().eachMessage?.(payload(1, parentTrace(1, false)));

  assert.equal(traced.exported().length, 1, "its decision stands, even under an unsampled parent");
  assert.deepEqual(asked[0], {
    "messaging.system.name": "kafka",
    "messaging.operation.type": "process",
    "messaging.operation.name": "process",
    "messaging.destination.name": "sampled",
    "messaging.destination.partition.id": "0",
    "messaging.consumer.group.name": "g",
  });
  assert.equal(traced.exported()[0]?.spanContext().traceFlags, TraceFlags.SAMPLED);
});

void test("a producer under an unsampled parent makes no spans and sends the parent's context on", async () => {
  const traced = countingProvider(new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(1) }));
  const fake = createFakeProducer();
  const producer = instrumentProducer(fake.producer, { tracerProvider: traced.tracerProvider });
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: "0af7651916cd43dd8448eb211c80319c",
    spanId: "b7ad6b7169203331",
    traceFlags: TraceFlags.NONE,
  });
  await context.with(parent, () =>
    producer.send({ topic: "quiet", messages: [{ value: "1" }, { value: "2" }] }),
  );
  assert.equal(await traced.started(), 0, "neither a send nor a create span was asked for");
  assert.deepEqual(
    fake.sent[0]?.messages.map((m) => m.headers?.["traceparent"]),
    [0, 1].map(() => "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00"),
  );
});
