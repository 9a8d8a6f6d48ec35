import { ExportResultCode } from "@opentelemetry/core";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider as SdkMeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { ProxyTracerProvider } from "@opentelemetry/api";
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider as SdkTracerProvider,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace";
import type { Sampler } from "@opentelemetry/sdk-trace";
import type { MetricProducer } from "@opentelemetry/sdk-metrics";
import { PreAggregatedHistograms } from "../../interceptors/metrics/pre-aggregated-histograms.ts";
import { TracewaySampler } from "../../interceptors/traceway-sampler.ts";
import { Partitioners } from "kafkajs";
import type { Consumer, Kafka } from "kafkajs";

/** The broker `scripts/services.sh up kafka` starts. */
export const BENCH_BROKER = "127.0.0.1:19092";
export const BENCH_PARTITIONS = 3;
export const BENCH_VALUE = Buffer.alloc(100, "k");
const PRODUCE_BATCH = 1000;

export interface SdkProviders {
  readonly tracerProvider: SdkTracerProvider;
  readonly meterProvider: SdkMeterProvider;
}

/**
 * Real SDK providers, so the interceptors' spans and metrics are actually recorded; export is
 * discarded. `producers` are read by the metric reader besides the SDK (pre-aggregated histograms).
 * The reader is cumulative, as a Prometheus exporter is: that is the set-up in which
 * `instrumentConsumer` attaches its pre-aggregated histograms by default.
 */
export function sdkProviders(sampler: Sampler, producers: readonly MetricProducer[] = []): SdkProviders {
  const exporter = {
    export: (_spans: unknown, done: (result: { code: ExportResultCode }) => void) =>
      done({ code: ExportResultCode.SUCCESS }),
    shutdown: () => Promise.resolve(),
  };
  return {
    tracerProvider: new SdkTracerProvider({
      sampler,
      spanProcessors: [new BatchSpanProcessor({ exporter })],
    }),
    meterProvider: new SdkMeterProvider({
      readers: [
        new PeriodicExportingMetricReader({
          exporter: new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE),
          exportIntervalMillis: 1000,
          metricProducers: [...producers],
        }),
      ],
    }),
  };
}

/** Creates a fresh topic and fills it with `total` small keyed messages. */
export async function produceTopic(kafka: Kafka, topic: string, total: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: BENCH_PARTITIONS }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let sent = 0; sent < total; sent += PRODUCE_BATCH) {
      const size = Math.min(PRODUCE_BATCH, total - sent);
      const messages = Array.from({ length: size }, (_, i) => ({
        key: String((sent + i) % 64),
        value: BENCH_VALUE,
      }));
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

export async function deleteTopicQuietly(kafka: Kafka, topic: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
  } catch {
    // A leftover bench topic is harmless; the broker's data dir is scratch.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

export interface ConsumeRun {
  /** Messages per second from first to last message (group join excluded). */
  readonly msgPerSec: number;
  /** Process CPU (user + system) per message, first to last message: robust to a busy machine. */
  readonly cpuMicrosPerMsg: number;
}

/**
 * Reads the whole topic with one fresh group; `wrap` may instrument the consumer. Rejects when
 * fewer than `total` messages arrived within `timeoutMs`.
 */
export async function consumeAll(
  kafka: Kafka,
  topic: string,
  total: number,
  options: { groupId: string; timeoutMs: number; wrap?: ((raw: Consumer) => Consumer) | undefined },
): Promise<ConsumeRun> {
  const raw = kafka.consumer({ groupId: options.groupId });
  const consumer = options.wrap ? options.wrap(raw) : raw;
  await raw.connect();
  let seen = 0;
  let first = 0;
  let last = 0;
  let cpuFirst = process.cpuUsage();
  let cpuSpent = { user: 0, system: 0 };
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  try {
    await raw.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: () => {
        const now = performance.now();
        if (seen === 0) {
          first = now;
          cpuFirst = process.cpuUsage();
        }
        seen += 1;
        last = now;
        if (seen === total) {
          cpuSpent = process.cpuUsage(cpuFirst);
          finish();
        }
        return Promise.resolve();
      },
    });
    const timeout = setTimeout(finish, options.timeoutMs);
    await finished;
    clearTimeout(timeout);
    if (seen < total) throw new Error(`consumed ${seen}/${total} within ${options.timeoutMs} ms`);
    return {
      msgPerSec: (seen - 1) / ((last - first) / 1000),
      cpuMicrosPerMsg: (cpuSpent.user + cpuSpent.system) / (seen - 1),
    };
  } finally {
    await raw.disconnect();
  }
}

/**
 * The part of `instrumentConsumer`'s signature the bench uses: structural, so the probe's
 * `--baseline` can pass another checkout's implementation.
 */
export type InstrumentConsumer = (
  consumer: Consumer,
  options: {
    groupId?: string;
    tracerProvider?: TracerProvider;
    meterProvider?: MeterProvider;
    histograms?: PreAggregatedHistograms | false;
  },
) => Consumer;

/**
 * Where a variant's duration histograms go: the SDK's own (`histograms: false`), a
 * `PreAggregatedHistograms` the bench gives the reader and the interceptor itself, or whatever
 * `instrumentConsumer` does with no `histograms` option.
 */
export type HistogramSetup = "sdk" | "given" | "default";

/** One way of running the consumer: plain kafkajs, or wrapped with some tracing set-up. */
export interface KafkaVariant {
  readonly id: string;
  readonly label: string;
  /** `undefined`: plain kafkajs, no wrapper; `"none"`: wrapped, metrics only, no tracer SDK at all. */
  readonly sampler: (() => Sampler) | "none" | undefined;
  /** Where the duration histograms go; `"default"` when not said. */
  readonly histograms?: HistogramSetup;
}

const tenPercent = (): Sampler => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0.1) });

/** Shared by `npm run bench` (a, e, f, c, g, h, i, d) and scripts/kafka-interceptor-probe.ts (any). */
export const KAFKA_VARIANTS: readonly KafkaVariant[] = [
  { id: "a", label: "kafkajs", sampler: undefined },
  {
    id: "b",
    label: "+ instrumentConsumer, metrics, traces never sampled (ParentBased(ratio 0))",
    sampler: () => new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }),
  },
  {
    id: "c",
    label: "+ instrumentConsumer, SDK histograms + 10% traces (ParentBased(ratio 0.1))",
    sampler: tenPercent,
    histograms: "sdk",
  },
  {
    id: "d",
    label: "+ instrumentConsumer, metrics + 100% traces (AlwaysOn)",
    sampler: () => new AlwaysOnSampler(),
  },
  {
    id: "e",
    label: "+ instrumentConsumer, metrics only (no tracer SDK), SDK histograms",
    sampler: "none",
    histograms: "sdk",
  },
  {
    id: "f",
    label: "+ instrumentConsumer, metrics only (no tracer SDK), defaults (pre-aggregated histograms)",
    sampler: "none",
  },
  {
    id: "g",
    label: "+ instrumentConsumer, pre-aggregated histograms given + 10% traces",
    sampler: tenPercent,
    histograms: "given",
  },
  {
    id: "h",
    label: "+ instrumentConsumer, metrics + 10% traces with defaults",
    sampler: tenPercent,
  },
  {
    id: "i",
    label: "+ instrumentConsumer, metrics + 10% traces with defaults, TracewaySampler(0.1)",
    sampler: () => new TracewaySampler({ ratio: 0.1 }),
  },
];

export function kafkaVariant(id: string): KafkaVariant {
  const variant = KAFKA_VARIANTS.find((v) => v.id === id);
  if (variant === undefined)
    throw new Error(`unknown Kafka variant '${id}' (known: ${KAFKA_VARIANTS.map((v) => v.id).join(", ")})`);
  return variant;
}

/** What `trace.getTracerProvider()` gives when no SDK was registered. */
const noopTracerProvider: TracerProvider = new ProxyTracerProvider();

/** What a variant wraps the consumer with: recording SDK providers whose export is discarded. */
export interface VariantSetup {
  /** `undefined` for plain kafkajs (no wrapper). */
  readonly wrap: ((raw: Consumer) => Consumer) | undefined;
  shutdown(): Promise<void>;
}

/**
 * Builds what `variant` runs with: nothing for plain kafkajs, else `instrument` with SDK
 * providers at the variant's sampler and histogram set-up. Shared by the broker runs and the
 * broker-less handler probe (scripts/kafka-handler-probe.ts), so both measure the same set-ups.
 */
export function variantSetup(
  variant: KafkaVariant,
  groupId: string,
  instrument: InstrumentConsumer,
): VariantSetup {
  const { sampler } = variant;
  const setup = variant.histograms ?? "default";
  const histograms = setup === "given" ? new PreAggregatedHistograms() : undefined;
  const providers =
    sampler === undefined
      ? undefined
      : sdkProviders(sampler === "none" ? new AlwaysOnSampler() : sampler(), histograms ? [histograms] : []);
  return {
    wrap:
      providers === undefined
        ? undefined
        : (raw) =>
            instrument(raw, {
              groupId,
              tracerProvider: sampler === "none" ? noopTracerProvider : providers.tracerProvider,
              meterProvider: providers.meterProvider,
              ...(histograms ? { histograms } : {}),
              ...(setup === "sdk" ? { histograms: false } : {}),
            }),
    async shutdown() {
      await providers?.tracerProvider.shutdown();
      await providers?.meterProvider.shutdown();
    },
  };
}

/**
 * Reads the whole topic with a fresh group as `variant` says: plain, or wrapped by `instrument`
 * with recording SDK providers whose export is discarded.
 */
export async function consumeVariant(
  kafka: Kafka,
  topic: string,
  total: number,
  variant: KafkaVariant,
  instrument: InstrumentConsumer,
  timeoutMs: number,
): Promise<ConsumeRun> {
  const groupId = `traceway-bench-${process.pid}-${Date.now()}-${variant.id}`;
  const setup = variantSetup(variant, groupId, instrument);
  try {
    return await consumeAll(kafka, topic, total, { groupId, timeoutMs, wrap: setup.wrap });
  } finally {
    await setup.shutdown();
  }
}
