import { ExportResultCode } from "@opentelemetry/core";
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider as SdkMeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import { BatchSpanProcessor, TracerProvider as SdkTracerProvider } from "@opentelemetry/sdk-trace";
import type { Sampler } from "@opentelemetry/sdk-trace";
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

/** Real SDK providers, so the interceptors' spans and metrics are actually recorded; export is discarded. */
export function sdkProviders(sampler: Sampler): SdkProviders {
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
          exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
          exportIntervalMillis: 1000,
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
