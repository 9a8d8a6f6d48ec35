/**
 * Measures what `instrumentConsumer` costs a kafkajs `eachMessage` consumer on the real broker
 * (`bash scripts/services.sh up kafka`, 127.0.0.1:19092) at the sampling settings people run:
 *
 *   a  plain kafkajs
 *   b  instrumented, metrics on, traces never sampled (ParentBased(TraceIdRatio(0)))
 *   c  instrumented, SDK histograms, ParentBased(TraceIdRatio(0.1))
 *   d  instrumented, metrics on, AlwaysOn
 *   e  instrumented, SDK histograms, no tracer SDK (the API's no-op tracer): metrics only
 *   f  instrumented, defaults (pre-aggregated histograms), no tracer SDK
 *   g  instrumented, pre-aggregated histograms given, ParentBased(TraceIdRatio(0.1))
 *   h  instrumented, defaults, ParentBased(TraceIdRatio(0.1))
 *   i  instrumented, defaults, TracewaySampler(0.1)
 * (the ones `npm run bench` runs: a, e, f, c, g, h, i, d; bench/lib/kafka-load.ts defines them)
 *
 * It produces `--messages` 100 B messages to a fresh 3-partition topic once, then consumes the
 * whole topic with a fresh group per run, variants alternating order per round, and prints the
 * median msg/s per variant with its ratio to plain. The handler and SDK set-up are
 * bench/lib/kafka-load.ts, shared with `npm run bench`, so the numbers compare.
 *
 * Usage: node scripts/kafka-interceptor-probe.ts [--messages 200000] [--rounds 2]
 *        [--variants a,b,c,d,e] [--topic <existing topic: skip producing>] [--keep-topic]
 *        [--als: register the AsyncLocalStorage context manager, as the Node SDK does]
 *        [--baseline <path of another interceptors/kafka/index.ts>: also run the instrumented variants
 *         with it, interleaved; c and e pass `histograms: false`, which older implementations reject]
 * To profile one variant: `node --cpu-prof --cpu-prof-dir=.cache/prof scripts/kafka-interceptor-probe.ts
 * --variants b --topic <topic kept by an earlier --keep-topic run>`.
 */
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { Kafka, logLevel } from "kafkajs";
import {
  BENCH_BROKER,
  consumeVariant,
  deleteTopicQuietly,
  kafkaVariant,
  produceTopic,
} from "../bench/lib/kafka-load.ts";
import type { ConsumeRun, InstrumentConsumer, KafkaVariant } from "../bench/lib/kafka-load.ts";
import { median } from "../bench/lib/stats.ts";
import { instrumentConsumer } from "../interceptors/kafka/index.ts";

const CONSUME_TIMEOUT_MS = 180_000;

/** A variant run with another `instrumentConsumer` (`--baseline`) gets its own id. */
interface ProbeVariant extends KafkaVariant {
  readonly instrument: InstrumentConsumer;
}

async function consume(
  kafka: Kafka,
  topic: string,
  total: number,
  variant: ProbeVariant,
): Promise<ConsumeRun> {
  try {
    return await consumeVariant(kafka, topic, total, variant, variant.instrument, CONSUME_TIMEOUT_MS);
  } catch (error) {
    throw new Error(`variant ${variant.id}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: "string", default: "200000" },
      rounds: { type: "string", default: "2" },
      variants: { type: "string", default: "a,b,c,d" },
      topic: { type: "string" },
      "keep-topic": { type: "boolean", default: false },
      als: { type: "boolean", default: false },
      baseline: { type: "string" },
    },
  });
  // What the Node SDK registers; off by default to match bench/lib/kafka-bench.ts.
  if (values.als) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const total = Number(values.messages);
  const rounds = Number(values.rounds);
  const picked = values.variants
    .split(",")
    .map((id): ProbeVariant => ({ ...kafkaVariant(id.trim()), instrument: instrumentConsumer }));
  // A before/after comparison in one process, rounds interleaved, so machine noise hits both.
  const baseline =
    values.baseline === undefined
      ? undefined
      : ((await import(resolve(values.baseline))) as { instrumentConsumer: InstrumentConsumer })
          .instrumentConsumer;
  const chosen = picked.flatMap((v): ProbeVariant[] =>
    baseline === undefined || v.sampler === undefined
      ? [v]
      : [{ ...v, id: `${v.id}0`, label: `${v.label} [baseline]`, instrument: baseline }, v],
  );
  const kafka = new Kafka({
    clientId: "traceway-probe",
    brokers: [BENCH_BROKER],
    logLevel: logLevel.NOTHING,
  });
  const topic = values.topic ?? `traceway-probe-${process.pid}-${Date.now()}`;
  const keep = values["keep-topic"] || values.topic !== undefined;
  try {
    if (values.topic === undefined) {
      process.stderr.write(`producing ${total} messages to ${topic}\n`);
      await produceTopic(kafka, topic, total);
    }
    const results = new Map<string, ConsumeRun[]>(chosen.map((v) => [v.id, []]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? chosen : [...chosen].reverse();
      for (const variant of order) {
        const run = await consume(kafka, topic, total, variant);
        results.get(variant.id)?.push(run);
        process.stderr.write(
          `round ${round + 1} ${variant.id}: ${Math.round(run.msgPerSec)} msg/s, ${run.cpuMicrosPerMsg.toFixed(2)} µs CPU/msg\n`,
        );
      }
    }
    const plainRuns = results.get("a");
    const plainRate = plainRuns === undefined ? undefined : median(plainRuns.map((r) => r.msgPerSec));
    const plainCpu = plainRuns === undefined ? undefined : median(plainRuns.map((r) => r.cpuMicrosPerMsg));
    process.stdout.write(
      "| variant | runs (msg/s) | median msg/s | vs plain | median µs CPU/msg | CPU vs plain |\n" +
        "|---|---|---|---|---|---|\n",
    );
    for (const variant of chosen) {
      const runs = results.get(variant.id) ?? [];
      const rate = median(runs.map((r) => r.msgPerSec));
      const cpu = median(runs.map((r) => r.cpuMicrosPerMsg));
      const list = runs.map((r) => `${Math.round(r.msgPerSec / 1000)}k`).join(", ");
      const rateRatio = plainRate === undefined ? "" : `${(rate / plainRate).toFixed(2)}×`;
      const cpuRatio = plainCpu === undefined ? "" : `${(cpu / plainCpu).toFixed(2)}×`;
      process.stdout.write(
        `| (${variant.id}) ${variant.label} | ${list} | ${Math.round(rate)} | ${rateRatio} | ${cpu.toFixed(2)} | ${cpuRatio} |\n`,
      );
    }
    if (keep) process.stderr.write(`topic kept: ${topic}\n`);
  } finally {
    if (!keep) await deleteTopicQuietly(kafka, topic);
  }
}

await main();
