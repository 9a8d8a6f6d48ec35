import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { Kafka, logLevel } from "kafkajs";
import { instrumentConsumer } from "../../interceptors/index.ts";
import {
  BENCH_BROKER,
  BENCH_PARTITIONS,
  BENCH_VALUE,
  consumeVariant,
  deleteTopicQuietly,
  kafkaVariant,
  produceTopic,
} from "./kafka-load.ts";
import type { ConsumeRun } from "./kafka-load.ts";
import { ROOT } from "./layout.ts";
import type { Progress } from "./progress.ts";
import { rotation } from "./scenarios.ts";
import { median } from "./stats.ts";

const SERVICES_UP_TIMEOUT_MS = 300_000;
/** Per consume run; at kafkajs's ~20k+ msg/s 200k messages take a few seconds. */
const CONSUME_TIMEOUT_MS = 120_000;

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

/** `scripts/services.sh up kafka`; a one-line reason when it fails. */
export function kafkaUp(): string | undefined {
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
 * Plain kafkajs, then instrumentConsumer with metrics only and with 10 % of messages traced (with
 * SDK histograms, with pre-aggregated ones given explicitly, and with the defaults, which
 * pre-aggregate, under the SDK's ParentBased ratio sampler and under TracewaySampler), and with
 * every message traced.
 */
const BENCH_VARIANTS = ["a", "e", "f", "c", "g", "h", "i", "d"].map(kafkaVariant);

/**
 * Consumer throughput over `total` small messages on the real broker: plain kafkajs against
 * traceway's `instrumentConsumer` with recording SDK providers at three tracing set-ups, in
 * interleaved rounds (each round starts with the next variant).
 */
export async function benchKafka(total: number, rounds: number, progress: Progress): Promise<KafkaResult> {
  const fail = (failure: string): KafkaResult => ({
    rows: BENCH_VARIANTS.map((v) => ({ variant: v.label, messages: total, runs: 0, failure })),
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
    const runs = new Map<string, ConsumeRun[]>(BENCH_VARIANTS.map((v) => [v.id, []]));
    const failures = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      for (const variant of rotation(BENCH_VARIANTS, round)) {
        if (failures.has(variant.id)) continue;
        progress.update(`kafka: round ${round + 1}/${rounds} consuming ${total} (${variant.label})`);
        try {
          runs
            .get(variant.id)
            ?.push(
              await consumeVariant(kafka, topic, total, variant, instrumentConsumer, CONSUME_TIMEOUT_MS),
            );
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          if (variant.sampler === undefined) return fail(`plain consumer failed: ${message}`);
          failures.set(variant.id, `failed: ${message}`);
        }
      }
    }
    return {
      rows: BENCH_VARIANTS.map((v): KafkaRow => {
        const failure = failures.get(v.id);
        if (failure !== undefined) return { variant: v.label, messages: total, runs: 0, failure };
        const done = runs.get(v.id) ?? [];
        return {
          variant: v.label,
          messages: total,
          runs: done.length,
          msgPerSec: median(done.map((r) => r.msgPerSec)),
          cpuMicrosPerMsg: median(done.map((r) => r.cpuMicrosPerMsg)),
        };
      }),
      note: `instrumentConsumer from traceway/interceptors; SDK meter provider (1 s cumulative in-memory reader; the pre-aggregated histograms, given or attached by default, as its metric producer) and, where traced, SDK tracer (batch processor, discarding exporter); no context manager registered (none is needed by this handler); ${BENCH_PARTITIONS} partitions, ${BENCH_VALUE.length} B values, eachMessage with an empty handler, so the ratios show the interceptor's cost against kafkajs' own ~µs per message; throughput and process CPU from first to last message (CPU per message is the steadier figure on a busy machine)`,
    };
  } finally {
    await deleteTopicQuietly(kafka, topic);
  }
}
