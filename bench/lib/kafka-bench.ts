import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import {
  InMemoryMetricExporter,
  AggregationTemporality,
  MeterProvider as SdkMeterProvider,
  PeriodicExportingMetricReader,
} from "@opentelemetry/sdk-metrics";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  TracerProvider as SdkTracerProvider,
} from "@opentelemetry/sdk-trace";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import type { Consumer } from "kafkajs";
import { ROOT } from "./layout.ts";
import type { Progress } from "./progress.ts";
import { median } from "./stats.ts";

const BROKER = "127.0.0.1:19092";
const SERVICES_UP_TIMEOUT_MS = 300_000;
const PARTITIONS = 3;
const BATCH = 1000;
const VALUE = Buffer.alloc(100, "k");
/** Per consume run; at kafkajs's ~20k+ msg/s 200k messages take a few seconds. */
const CONSUME_TIMEOUT_MS = 120_000;

/** The part of `instrumentConsumer`'s signature the bench uses (structural: the module may be missing). */
type InstrumentConsumer = (
  consumer: Consumer,
  options: { groupId?: string; tracerProvider?: TracerProvider; meterProvider?: MeterProvider },
) => Consumer;

export interface KafkaRow {
  readonly variant: string;
  readonly messages: number;
  readonly runs: number;
  /** Median messages per second from first to last message (group join excluded). */
  readonly msgPerSec?: number;
  readonly failure?: string;
}

export interface KafkaResult {
  readonly rows: readonly KafkaRow[];
  readonly note: string;
}

async function loadInstrumentConsumer(): Promise<{ fn?: InstrumentConsumer; from: string }> {
  for (const file of ["interceptors/index.ts", "interceptors/kafka/index.ts"]) {
    if (!existsSync(join(ROOT, file))) continue;
    try {
      const module = (await import(join(ROOT, file))) as { instrumentConsumer?: InstrumentConsumer };
      if (typeof module.instrumentConsumer === "function")
        return { fn: module.instrumentConsumer, from: file };
    } catch (error) {
      return { from: `${file} failed to load: ${error instanceof Error ? error.message : String(error)}` };
    }
  }
  return { from: "instrumentConsumer not found in interceptors/index.ts or interceptors/kafka/index.ts" };
}

/** Real SDK providers, so the interceptors' spans and metrics are actually recorded; export is discarded. */
function sdkProviders(): { tracerProvider: SdkTracerProvider; meterProvider: SdkMeterProvider } {
  const exporter = {
    export: (_spans: unknown, done: (result: { code: ExportResultCode }) => void) =>
      done({ code: ExportResultCode.SUCCESS }),
    shutdown: () => Promise.resolve(),
  };
  const tracerProvider = new SdkTracerProvider({
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const meterProvider = new SdkMeterProvider({
    readers: [
      new PeriodicExportingMetricReader({
        exporter: new InMemoryMetricExporter(AggregationTemporality.DELTA),
        exportIntervalMillis: 1000,
      }),
    ],
  });
  return { tracerProvider, meterProvider };
}

async function produce(kafka: Kafka, topic: string, total: number): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({ topics: [{ topic, numPartitions: PARTITIONS }], waitForLeaders: true });
  } finally {
    await admin.disconnect();
  }
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  try {
    for (let sent = 0; sent < total; sent += BATCH) {
      const size = Math.min(BATCH, total - sent);
      const messages = Array.from({ length: size }, (_, i) => ({
        key: String((sent + i) % 64),
        value: VALUE,
      }));
      await producer.send({ topic, messages });
    }
  } finally {
    await producer.disconnect();
  }
}

/** Messages per second of one fresh consumer group reading the whole topic from the beginning. */
async function consume(
  kafka: Kafka,
  topic: string,
  total: number,
  instrument?: InstrumentConsumer,
): Promise<number> {
  const groupId = `traceway-bench-${process.pid}-${Date.now()}-${instrument ? "instr" : "plain"}`;
  const raw = kafka.consumer({ groupId });
  const providers = instrument ? sdkProviders() : undefined;
  const consumer = instrument && providers ? instrument(raw, { groupId, ...providers }) : raw;
  await raw.connect();
  let seen = 0;
  let first = 0;
  let last = 0;
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  try {
    await raw.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: () => {
        const now = performance.now();
        if (seen === 0) first = now;
        seen += 1;
        last = now;
        if (seen === total) finish();
        return Promise.resolve();
      },
    });
    const timeout = setTimeout(finish, CONSUME_TIMEOUT_MS);
    await finished;
    clearTimeout(timeout);
    if (seen < total) throw new Error(`consumed ${seen}/${total} within ${CONSUME_TIMEOUT_MS} ms`);
    return (seen - 1) / ((last - first) / 1000);
  } finally {
    await raw.disconnect();
    await providers?.tracerProvider.shutdown();
    await providers?.meterProvider.shutdown();
  }
}

function kafkaUp(): string | undefined {
  const result = spawnSync("bash", [join(ROOT, "scripts", "services.sh"), "up", "kafka"], {
    cwd: ROOT,
    encoding: "utf8",
    timeout: SERVICES_UP_TIMEOUT_MS,
  });
  if (result.status === 0) return undefined;
  const output = `${result.stdout ?? ""}${result.stderr ?? ""}`.trim().split("\n").at(-1) ?? "";
  return `scripts/services.sh up kafka failed (${result.error?.message ?? `status ${result.status}`}): ${output}`;
}

/**
 * Consumer throughput over `total` small messages on the real broker, plain kafkajs vs wrapped by
 * traceway's `instrumentConsumer` with recording SDK providers, alternating variants per round.
 */
export async function benchKafka(total: number, rounds: number, progress: Progress): Promise<KafkaResult> {
  const { fn: instrument, from } = await loadInstrumentConsumer();
  const fail = (failure: string): KafkaResult => ({
    rows: [
      { variant: "kafkajs", messages: total, runs: 0, failure },
      { variant: "kafkajs + instrumentConsumer", messages: total, runs: 0, failure },
    ],
    note: failure,
  });
  if (!existsSync(join(ROOT, "scripts", "services.sh")))
    return fail("not available: scripts/services.sh missing");
  progress.update("kafka: scripts/services.sh up kafka");
  const down = kafkaUp();
  if (down !== undefined) return fail(`not available: ${down}`);

  const kafka = new Kafka({ clientId: "traceway-bench", brokers: [BROKER], logLevel: logLevel.NOTHING });
  const topic = `traceway-bench-${process.pid}-${Date.now()}`;
  try {
    progress.update(`kafka: producing ${total} messages to ${topic}`);
    await produce(kafka, topic, total);
    const plain: number[] = [];
    const wrapped: number[] = [];
    let instrumentFailure = instrument ? undefined : `not available: ${from}`;
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? (["plain", "wrapped"] as const) : (["wrapped", "plain"] as const);
      for (const variant of order) {
        if (variant === "wrapped" && (instrument === undefined || instrumentFailure !== undefined)) continue;
        progress.update(`kafka: round ${round + 1}/${rounds} consuming ${total} (${variant})`);
        try {
          if (variant === "plain") plain.push(await consume(kafka, topic, total));
          else wrapped.push(await consume(kafka, topic, total, instrument));
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (variant === "plain") return fail(`plain consumer failed: ${message}`);
          instrumentFailure = `failed: ${message}`;
        }
      }
    }
    return {
      rows: [
        { variant: "kafkajs", messages: total, runs: plain.length, msgPerSec: median(plain) },
        instrumentFailure === undefined
          ? {
              variant: "kafkajs + instrumentConsumer",
              messages: total,
              runs: wrapped.length,
              msgPerSec: median(wrapped),
            }
          : { variant: "kafkajs + instrumentConsumer", messages: total, runs: 0, failure: instrumentFailure },
      ],
      note: `instrumentConsumer from ${from}; SDK tracer (AlwaysOn, batch processor, discarding exporter) and meter provider (1 s in-memory reader) attached; ${PARTITIONS} partitions, ${VALUE.length} B values, eachMessage, throughput from first to last message`,
    };
  } finally {
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
}
