/**
 * What `instrumentConsumer` adds to each message, without a broker: drives the wrapped
 * `eachMessage` handler the way kafkajs' runner does (one awaited call per message, a batch of
 * one partition at a time, the event loop turning between batches as it does between fetches)
 * with synthetic messages shaped like the bench's (100 B value, small key, empty headers). The
 * variants and their SDK set-ups are bench/lib/kafka-load.ts's, so the letters mean the same as
 * in `npm run bench` and scripts/kafka-interceptor-probe.ts. Rounds interleave the variants and
 * alternate their order; the figure to read is ns/msg above plain (`a`), the interceptor's own cost.
 *
 * Usage: node scripts/kafka-handler-probe.ts [--messages 300000] [--rounds 5] [--variants a,f,h,i]
 *        [--same-timestamp 1000: messages in a row with one timestamp, as one kafkajs send stamps them]
 *        [--als: register the AsyncLocalStorage context manager, as the Node SDK does]
 *        [--baseline <path of another interceptors/kafka/index.ts>: run the wrapped variants with it
 *         too, interleaved, as `<id>0`]
 * To profile: `node --cpu-prof --cpu-prof-dir=/tmp/prof scripts/kafka-handler-probe.ts --variants h`.
 */
import { dirname, resolve } from "node:path";
import { setImmediate as turn } from "node:timers/promises";
import { parseArgs } from "node:util";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import type { Consumer, ConsumerRunConfig, EachMessageHandler, KafkaMessage } from "kafkajs";
import { BENCH_PARTITIONS, BENCH_VALUE, kafkaVariant, variantSetup } from "../bench/lib/kafka-load.ts";
import type { InstrumentConsumer, KafkaVariant, VariantSetup } from "../bench/lib/kafka-load.ts";
import { median } from "../bench/lib/stats.ts";
import { instrumentConsumer } from "../interceptors/kafka/index.ts";
import type { TracewaySampler } from "../interceptors/traceway-sampler.ts";

const TOPIC = "traceway-handler-probe";
/** Messages per partition handed over before the next partition's, as a fetch's batch. */
const BATCH = 500;

interface ProbeVariant extends KafkaVariant {
  readonly instrument: InstrumentConsumer;
}

interface Prepared {
  readonly variant: ProbeVariant;
  readonly setup: VariantSetup;
  readonly eachMessage: EachMessageHandler;
}

/** Just what the wrapper touches of a consumer: `run` keeps the handler, events are never emitted. */
function handlerOf(setup: VariantSetup, handler: EachMessageHandler): EachMessageHandler {
  let config: ConsumerRunConfig | undefined;
  const fake = {
    events: {},
    on: () => () => {},
    run: (runConfig?: ConsumerRunConfig) => {
      config = runConfig;
      return Promise.resolve();
    },
    subscribe: () => Promise.resolve(),
  } as unknown as Consumer;
  const consumer = setup.wrap === undefined ? fake : setup.wrap(fake);
  void consumer.run({ eachMessage: handler });
  const wrapped = config?.eachMessage;
  if (wrapped === undefined) throw new Error("the wrapper did not pass eachMessage on to run()");
  return wrapped;
}

/**
 * `sameTimestamp` messages in a row share a timestamp: kafkajs' producer stamps every message of
 * one `send` with one `Date.now()` (the bench produces 1000 per send); 1 makes every one differ.
 */
function messages(total: number, sameTimestamp: number): KafkaMessage[] {
  const base = Date.now() - 60_000;
  return Array.from({ length: total }, (_, i): KafkaMessage => ({
    key: Buffer.from(String(i % 64)),
    value: BENCH_VALUE,
    timestamp: String(base + Math.floor(i / sameTimestamp)),
    attributes: 0,
    offset: String(i),
    headers: {},
  }));
}

/**
 * Another checkout's `instrumentConsumer`, and its own TracewaySampler for the variants that use
 * one: an interceptor honours only a sampler of its own module copy.
 */
async function baselineOf(
  indexPath: string,
): Promise<{ variant(v: KafkaVariant): Pick<ProbeVariant, "instrument" | "sampler"> }> {
  const { instrumentConsumer: instrument } = (await import(indexPath)) as {
    instrumentConsumer: InstrumentConsumer;
  };
  const { TracewaySampler: Sampler } = (await import(
    resolve(dirname(indexPath), "../traceway-sampler.ts")
  )) as {
    TracewaySampler: typeof TracewaySampler;
  };
  return {
    variant: (v) => ({
      instrument,
      sampler: v.id === "i" ? () => new Sampler({ ratio: 0.1 }) : v.sampler,
    }),
  };
}

const noop = (): Promise<void> => Promise.resolve();

/** ns of wall time and of process CPU per message over one pass through `list`. */
async function pass(
  eachMessage: EachMessageHandler,
  list: readonly KafkaMessage[],
): Promise<[number, number]> {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  for (let i = 0; i < list.length; i++) {
    if (i % BATCH === 0) await turn();
    const partition = Math.floor(i / BATCH) % BENCH_PARTITIONS;
    const message = list[i] as KafkaMessage;
    await eachMessage({ topic: TOPIC, partition, message, heartbeat: noop, pause: () => () => {} });
  }
  const wallNs = Number(process.hrtime.bigint() - start);
  const used = process.cpuUsage(cpu);
  return [wallNs / list.length, ((used.user + used.system) * 1000) / list.length];
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      messages: { type: "string", default: "300000" },
      rounds: { type: "string", default: "5" },
      "same-timestamp": { type: "string", default: "1000" },
      variants: { type: "string", default: "a,f,h,i" },
      als: { type: "boolean", default: false },
      baseline: { type: "string" },
    },
  });
  if (values.als) context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const baseline = values.baseline === undefined ? undefined : await baselineOf(resolve(values.baseline));
  const chosen = values.variants
    .split(",")
    .map((id): ProbeVariant => ({ ...kafkaVariant(id.trim()), instrument: instrumentConsumer }))
    .flatMap((v): ProbeVariant[] =>
      baseline === undefined || v.sampler === undefined
        ? [v]
        : [{ ...v, ...baseline.variant(v), id: `${v.id}0`, label: `${v.label} [baseline]` }, v],
    );
  const list = messages(Number(values.messages), Number(values["same-timestamp"]));
  const rounds = Number(values.rounds);
  const prepared: Prepared[] = chosen.map((variant) => {
    const setup = variantSetup(variant, `probe-${variant.id}`, variant.instrument);
    return { variant, setup, eachMessage: handlerOf(setup, noop) };
  });
  const wall = new Map<string, number[]>(chosen.map((v) => [v.id, []]));
  const cpu = new Map<string, number[]>(chosen.map((v) => [v.id, []]));
  try {
    // One untimed pass each, so every variant is optimised before the first timed round.
    for (const p of prepared) await pass(p.eachMessage, list.slice(0, 50_000));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? prepared : [...prepared].reverse();
      for (const p of order) {
        const [wallNs, cpuNs] = await pass(p.eachMessage, list);
        wall.get(p.variant.id)?.push(wallNs);
        cpu.get(p.variant.id)?.push(cpuNs);
        process.stderr.write(`round ${round + 1} ${p.variant.id}: ${wallNs.toFixed(0)} ns/msg\n`);
      }
    }
  } finally {
    for (const p of prepared) await p.setup.shutdown();
  }
  const plainWall = wall.has("a") ? median(wall.get("a") ?? []) : 0;
  process.stdout.write(
    "| variant | median ns/msg | ns/msg above plain | median CPU ns/msg |\n|---|---|---|---|\n",
  );
  for (const v of chosen) {
    const w = median(wall.get(v.id) ?? []);
    const c = median(cpu.get(v.id) ?? []);
    process.stdout.write(
      `| (${v.id}) ${v.label} | ${w.toFixed(0)} | ${(w - plainWall).toFixed(0)} | ${c.toFixed(0)} |\n`,
    );
  }
}

await main();
