import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { Kafka, logLevel } from "kafkajs";
import type { KafkaMessage } from "kafkajs";
import { Pool } from "undici";
import { stringify } from "yaml";
import { writeFileSync, mkdirSync } from "node:fs";
import { RUNTIME_FLAGS } from "../../src/run/runtime-flags.ts";
import { spawnNginx } from "./backends.ts";
import type { ChildRegistry, ManagedChild } from "./children.ts";
import { kafkaUp } from "./kafka-bench.ts";
import {
  BENCH_BROKER,
  BENCH_PARTITIONS,
  BENCH_VALUE,
  deleteTopicQuietly,
  produceTopic,
} from "./kafka-load.ts";
import { NODE, ROOT, WORK_DIR } from "./layout.ts";
import { sinkConfig } from "./nginx-configs.ts";
import { freePort } from "./ports.ts";
import { treeCpuSeconds } from "./proc.ts";
import type { Progress } from "./progress.ts";
import { rotation } from "./scenarios.ts";
import { median, spreadPercent } from "./stats.ts";
import { lastLine } from "./target.ts";
import { waitForHttp200 } from "./wait-http.ts";

/** Per run: at a few thousand messages a second, 50k take well under a minute. */
const RUN_TIMEOUT_MS = 180_000;
/** How often the bridge's progress is read from its /metrics while it runs. */
const POLL_MS = 100;
const START_TIMEOUT_MS = 20_000;

export interface BridgeRow {
  readonly variant: string;
  readonly messages: number;
  readonly runs: number;
  /** Median messages per second from the first to the last delivered message. */
  readonly msgPerSec?: number;
  /** Half the min–max range of the runs' msg/s, relative to the median, in percent. */
  readonly spreadPercent?: number;
  /** Median CPU per message of the process that consumes and calls (the bench's or traceway's). */
  readonly cpuMicrosPerMsg?: number;
  readonly failure?: string;
}

export interface BridgeResult {
  readonly rows: readonly BridgeRow[];
  readonly note: string;
}

interface Run {
  readonly msgPerSec: number;
  readonly cpuMicrosPerMsg: number;
}

interface Variant {
  readonly id: string;
  readonly label: string;
  /** The bridge's ordering and concurrency; undefined: the plain kafkajs + undici consumer. */
  readonly bridge?: { readonly ordering: "partition" | "key"; readonly concurrency: number };
}

const VARIANTS: readonly Variant[] = [
  { id: "plain", label: "kafkajs eachMessage + undici POST (awaits each, 1 per partition)" },
  {
    id: "partition",
    label: "traceway bridge, ordering: partition (1 per partition)",
    bridge: { ordering: "partition", concurrency: 1 },
  },
  {
    id: "key",
    label: "traceway bridge, ordering: key, concurrency 16",
    bridge: { ordering: "key", concurrency: 16 },
  },
];

/**
 * Messages per second from Kafka to an HTTP service: a plain kafkajs consumer that POSTs each
 * message with undici and awaits the answer, against traceway's bridge (the binary, from dist/)
 * dispatching the same messages through an upstream, both to one nginx that answers 200. Rounds
 * interleave the variants; each run reads the whole topic with a fresh group.
 */
export async function benchBridge(
  registry: ChildRegistry,
  total: number,
  rounds: number,
  progress: Progress,
): Promise<BridgeResult> {
  const fail = (failure: string): BridgeResult => ({
    rows: VARIANTS.map((v) => ({ variant: v.label, messages: total, runs: 0, failure })),
    note: failure,
  });
  progress.update("kafka bridge: scripts/services.sh up kafka");
  const down = kafkaUp();
  if (down !== undefined) return fail(`not available: ${down}`);
  const sinkPort = await freePort();
  const sinkDir = join(WORK_DIR, "bridge-sink");
  const sink = spawnNginx(registry, "bridge sink", sinkDir, sinkConfig(sinkDir, sinkPort));
  const sinkUrl = `http://127.0.0.1:${sinkPort}`;
  const sinkFailure = await waitForHttp200(`${sinkUrl}/`, START_TIMEOUT_MS, () => sink.exitReason());
  if (sinkFailure !== undefined) return fail(`nginx sink did not start: ${sinkFailure}`);

  const kafka = new Kafka({
    clientId: "traceway-bench",
    brokers: [BENCH_BROKER],
    logLevel: logLevel.NOTHING,
  });
  const topic = `traceway-bridge-bench-${process.pid}-${Date.now()}`;
  try {
    progress.update(`kafka bridge: producing ${total} messages to ${topic}`);
    await produceTopic(kafka, topic, total);
    const runs = new Map<string, Run[]>(VARIANTS.map((v) => [v.id, []]));
    const failures = new Map<string, string>();
    for (let round = 0; round < rounds; round++) {
      for (const variant of rotation(VARIANTS, round)) {
        if (failures.has(variant.id)) continue;
        progress.update(`kafka bridge: round ${round + 1}/${rounds}, ${variant.label}`);
        const group = `${topic}-${variant.id}-${round}`;
        try {
          runs
            .get(variant.id)
            ?.push(
              variant.bridge === undefined
                ? await plainRun(kafka, topic, group, total, sinkUrl)
                : await bridgeRun(registry, variant.bridge, topic, group, total, sinkUrl),
            );
        } catch (error) {
          failures.set(variant.id, `failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
    }
    return { rows: VARIANTS.map((v) => row(v, total, runs.get(v.id) ?? [], failures.get(v.id))), note: NOTE };
  } finally {
    await registry.stop(sink);
    await deleteTopicQuietly(kafka, topic);
  }
}

function row(variant: Variant, total: number, done: readonly Run[], failure: string | undefined): BridgeRow {
  if (failure !== undefined) return { variant: variant.label, messages: total, runs: 0, failure };
  return {
    variant: variant.label,
    messages: total,
    runs: done.length,
    msgPerSec: median(done.map((r) => r.msgPerSec)),
    spreadPercent: spreadPercent(done.map((r) => r.msgPerSec)),
    cpuMicrosPerMsg: median(done.map((r) => r.cpuMicrosPerMsg)),
  };
}

const NOTE = `Real broker (${BENCH_BROKER}), ${BENCH_PARTITIONS} partitions, ${BENCH_VALUE.length} B values on 64 keys, one nginx (1 worker) answering 200 to every POST. The plain consumer runs in the bench process with partitionsConsumedConcurrently ${BENCH_PARTITIONS} and one undici Pool; each message is one POST with the same x-kafka-* headers the bridge sends, awaited before the next of its partition. The bridge is the traceway binary (dist/, the binary's Node flags) with one upstream, Prometheus on, access log and traces off; its progress is read from its /metrics every ${POLL_MS} ms. msg/s is first to last delivered message (group join excluded), CPU that of the consuming process over the same span; ordering: partition is the plain consumer's guarantee, ordering: key the bridge's default.`;

/** The plain consumer: one POST per message, awaited, so each partition has one in flight. */
async function plainRun(
  kafka: Kafka,
  topic: string,
  groupId: string,
  total: number,
  sinkUrl: string,
): Promise<Run> {
  const pool = new Pool(sinkUrl, { connections: 16 });
  const consumer = kafka.consumer({ groupId });
  let seen = 0;
  let first = 0;
  let last = 0;
  let cpuFirst = process.cpuUsage();
  let cpu = { user: 0, system: 0 };
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const post = async (partition: number, message: KafkaMessage): Promise<void> => {
    const response = await pool.request({
      method: "POST",
      path: `/events/${topic}`,
      headers: {
        "content-type": "application/octet-stream",
        "x-kafka-topic": topic,
        "x-kafka-partition": String(partition),
        "x-kafka-offset": message.offset,
        "x-kafka-timestamp": message.timestamp,
        "x-kafka-key": message.key?.toString("latin1") ?? "",
      },
      body: message.value ?? null,
    });
    await response.body.dump();
    if (response.statusCode !== 200) throw new Error(`sink answered ${response.statusCode}`);
  };
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      partitionsConsumedConcurrently: BENCH_PARTITIONS,
      eachMessage: async ({ partition, message }) => {
        await post(partition, message);
        const now = performance.now();
        if (seen === 0) {
          first = now;
          cpuFirst = process.cpuUsage();
        }
        seen += 1;
        last = now;
        if (seen === total) {
          cpu = process.cpuUsage(cpuFirst);
          finish();
        }
      },
    });
    const timeout = setTimeout(finish, RUN_TIMEOUT_MS);
    await finished;
    clearTimeout(timeout);
    if (seen < total) throw new Error(`delivered ${seen}/${total} within ${RUN_TIMEOUT_MS} ms`);
    return {
      msgPerSec: (seen - 1) / ((last - first) / 1000),
      cpuMicrosPerMsg: (cpu.user + cpu.system) / (seen - 1),
    };
  } finally {
    await consumer.disconnect();
    await pool.close();
  }
}

export interface BridgeSetup {
  readonly port: number;
  readonly metricsPort: number;
  readonly sinkUrl: string;
  readonly topic: string;
  readonly groupId: string;
  readonly ordering: "partition" | "key";
  readonly concurrency: number;
}

/** The traceway config of a bridge run: one upstream (the sink), one bridge, metrics on, no access log. */
export function bridgeConfig(setup: BridgeSetup): Record<string, unknown> {
  const { port, metricsPort, sinkUrl, topic, groupId, ordering, concurrency } = setup;
  return {
    server: { listen: `127.0.0.1:${port}` },
    upstreams: { sink: { backends: [{ url: sinkUrl }] } },
    telemetry: { prometheus: { listen: `127.0.0.1:${metricsPort}`, path: "/metrics" } },
    logging: { level: "warn", accessLog: false },
    kafka: {
      brokers: [BENCH_BROKER],
      bridges: [
        {
          name: "bench",
          topics: [topic],
          groupId,
          upstream: "sink",
          path: "/events/{topic}",
          ordering,
          concurrency,
          startFrom: "earliest",
        },
      ],
    },
  };
}

/** The traceway binary with one bridge; done when its /metrics count every message delivered. */
async function bridgeRun(
  registry: ChildRegistry,
  bridge: NonNullable<Variant["bridge"]>,
  topic: string,
  groupId: string,
  total: number,
  sinkUrl: string,
): Promise<Run> {
  const port = await freePort();
  const metricsPort = await freePort();
  const dir = join(WORK_DIR, `bridge-${groupId}`);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, "traceway.yaml");
  writeFileSync(file, stringify(bridgeConfig({ port, metricsPort, sinkUrl, topic, groupId, ...bridge })));
  const child = registry.spawn(
    `traceway bridge ${groupId}`,
    NODE,
    [...RUNTIME_FLAGS, "dist/src/cli.js", "--config", file],
    {
      cwd: ROOT,
    },
  );
  try {
    const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    const failure = await waitForHttp200(metricsUrl, START_TIMEOUT_MS, () => exitOf(child));
    if (failure !== undefined) throw new Error(`traceway did not start: ${failure}`);
    return await followDeliveries(child, metricsUrl, total);
  } finally {
    await registry.stop(child);
  }
}

/** Polls the bridge's succeeded counter: the times (and process CPU) of the first and the last delivery. */
async function followDeliveries(child: ManagedChild, metricsUrl: string, total: number): Promise<Run> {
  const deadline = performance.now() + RUN_TIMEOUT_MS;
  let first: { at: number; count: number; cpu: number } | undefined;
  for (;;) {
    const reason = exitOf(child);
    if (reason !== undefined) throw new Error(`traceway exited: ${reason}`);
    const count = await succeeded(metricsUrl);
    const at = performance.now();
    const cpu = treeCpuSeconds(child.pid) ?? 0;
    if (first === undefined && count > 0) first = { at, count, cpu };
    if (first !== undefined && count >= total) {
      const messages = count - first.count;
      return {
        msgPerSec: messages / ((at - first.at) / 1000),
        cpuMicrosPerMsg: ((cpu - first.cpu) * 1e6) / messages,
      };
    }
    if (at > deadline) throw new Error(`delivered ${count}/${total} within ${RUN_TIMEOUT_MS} ms`);
    await sleep(POLL_MS);
  }
}

async function succeeded(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl, { signal: AbortSignal.timeout(5000) })).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("traceway_messaging_kafka_bridge_succeeded"))
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return sum;
}

function exitOf(child: ManagedChild): string | undefined {
  const reason = child.exitReason();
  return reason === undefined ? undefined : `${reason}: ${lastLine(child.stderrTail())}`;
}
