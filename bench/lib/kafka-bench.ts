import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import { AlwaysOnSampler } from "@opentelemetry/sdk-trace";
import { Kafka, logLevel } from "kafkajs";
import type { Consumer } from "kafkajs";
import {
  BENCH_BROKER,
  BENCH_PARTITIONS,
  BENCH_VALUE,
  consumeAll,
  deleteTopicQuietly,
  produceTopic,
  sdkProviders,
} from "./kafka-load.ts";
import type { ConsumeRun } from "./kafka-load.ts";
import { ROOT } from "./layout.ts";
import type { Progress } from "./progress.ts";
import { median } from "./stats.ts";

const SERVICES_UP_TIMEOUT_MS = 300_000;
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
  /** Median process CPU per message in microseconds. */
  readonly cpuMicrosPerMsg?: number;
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

/** One fresh group reading the whole topic, plain or wrapped by `instrument` with recording providers. */
async function consume(
  kafka: Kafka,
  topic: string,
  total: number,
  instrument?: InstrumentConsumer,
): Promise<ConsumeRun> {
  const groupId = `traceway-bench-${process.pid}-${Date.now()}-${instrument ? "instr" : "plain"}`;
  const providers = instrument ? sdkProviders(new AlwaysOnSampler()) : undefined;
  try {
    return await consumeAll(kafka, topic, total, {
      groupId,
      timeoutMs: CONSUME_TIMEOUT_MS,
      wrap: instrument && providers ? (raw) => instrument(raw, { groupId, ...providers }) : undefined,
    });
  } finally {
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

  const kafka = new Kafka({
    clientId: "traceway-bench",
    brokers: [BENCH_BROKER],
    logLevel: logLevel.NOTHING,
  });
  const topic = `traceway-bench-${process.pid}-${Date.now()}`;
  try {
    progress.update(`kafka: producing ${total} messages to ${topic}`);
    await produceTopic(kafka, topic, total);
    const plain: ConsumeRun[] = [];
    const wrapped: ConsumeRun[] = [];
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
        {
          variant: "kafkajs",
          messages: total,
          runs: plain.length,
          msgPerSec: median(plain.map((r) => r.msgPerSec)),
          cpuMicrosPerMsg: median(plain.map((r) => r.cpuMicrosPerMsg)),
        },
        instrumentFailure === undefined
          ? {
              variant: "kafkajs + instrumentConsumer",
              messages: total,
              runs: wrapped.length,
              msgPerSec: median(wrapped.map((r) => r.msgPerSec)),
              cpuMicrosPerMsg: median(wrapped.map((r) => r.cpuMicrosPerMsg)),
            }
          : { variant: "kafkajs + instrumentConsumer", messages: total, runs: 0, failure: instrumentFailure },
      ],
      note: `instrumentConsumer from ${from}; SDK tracer (AlwaysOn, batch processor, discarding exporter) and meter provider (1 s in-memory reader) attached; ${BENCH_PARTITIONS} partitions, ${BENCH_VALUE.length} B values, eachMessage, throughput and process CPU from first to last message (CPU per message is the steadier figure on a busy machine)`,
    };
  } finally {
    await deleteTopicQuietly(kafka, topic);
  }
}
