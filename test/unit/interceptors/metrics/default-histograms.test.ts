import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createNoopMeter } from "@opentelemetry/api";
import type { MeterProvider as ApiMeterProvider } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import type { MetricProducer } from "@opentelemetry/sdk-metrics";
import type { EachMessagePayload } from "kafkajs";
import { instrumentConsumer } from "../../../../interceptors/kafka/index.ts";
import { defaultHistograms } from "../../../../interceptors/metrics/default-histograms.ts";
import { createFakeConsumer, message } from "../kafka/fake-consumer.ts";

const providers: MeterProvider[] = [];
after(async () => {
  for (const provider of providers) await provider.shutdown();
});

function provider(options: ConstructorParameters<typeof MeterProvider>[0]): MeterProvider {
  const created = new MeterProvider(options);
  providers.push(created);
  return created;
}

const payload = (offset: number): EachMessagePayload => ({
  topic: "defaults",
  partition: 0,
  message: message(offset),
  heartbeat: () => Promise.resolve(),
  pause: () => () => {},
});

void test("with no options, a plain MeterProvider's PrometheusExporter exports the pre-aggregated histograms", async () => {
  const exporter = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = provider({ readers: [exporter] });
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, { meterProvider, groupId: "g" });
  await consumer.run({ eachMessage: () => Promise.resolve() });
  for (const offset of [1, 2, 3]) await fake.runConfig().eachMessage?.(payload(offset));

  const histograms = defaultHistograms(meterProvider);
  assert.ok(histograms, "attached");
  assert.equal(defaultHistograms(meterProvider), histograms, "one per provider, attached once");
  const { resourceMetrics } = await exporter.collect();
  const process = resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === "messaging.process.duration");
  assert.equal(process.length, 1, "exported once: pre-aggregated, not also by the SDK");
  const points = (process[0]?.dataPoints ?? []) as { value: { count: number } }[];
  assert.equal(
    points.reduce((sum, p) => sum + p.value.count, 0),
    3,
  );
});

void test("readers sharing their creator's producer list get the histograms once each, the list untouched", async () => {
  const own: MetricProducer[] = [];
  const first = new PrometheusExporter({ preventServerStart: true, metricProducers: own });
  const second = new PrometheusExporter({ preventServerStart: true, metricProducers: own });
  const meterProvider = provider({ readers: [first, second] });
  const histograms = defaultHistograms(meterProvider);
  histograms?.histogram("h", { scope: "s", description: "", unit: "s", boundaries: [1] }).record(0.5);
  assert.deepEqual(own, []);
  for (const reader of [first, second]) {
    const { resourceMetrics } = await reader.collect();
    const named = resourceMetrics.scopeMetrics
      .flatMap((scope) => scope.metrics)
      .filter((m) => m.descriptor.name === "h");
    assert.equal(named.length, 1);
  }
});

void test("where attaching is not safe, the SDK's own histograms are used, decided before recording", () => {
  const deltaReader = new PeriodicExportingMetricReader({
    exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
  });
  const cases: [string, ApiMeterProvider][] = [
    ["a delta reader", provider({ readers: [deltaReader] })],
    [
      "a View may reshape the histograms",
      provider({
        readers: [new PrometheusExporter({ preventServerStart: true })],
        views: [{ instrumentName: "messaging.process.duration", name: "renamed" }],
      }),
    ],
    ["no reader", provider({})],
    ["not the SDK's MeterProvider", { getMeter: () => createNoopMeter() }],
  ];
  for (const [why, meterProvider] of cases) assert.equal(defaultHistograms(meterProvider), undefined, why);
});
