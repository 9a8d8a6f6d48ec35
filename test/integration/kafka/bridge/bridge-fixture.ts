/**
 * What the bridge tests share: real HTTP backends that record every message they are sent, a
 * traceway started from YAML (the real config loader and runBalancer, without signal handlers)
 * whose metrics a test reads directly, and helpers to make topics and produce keyed messages on
 * the shared Kafka broker (a private broker where a test must restart it).
 */
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { randomUUID } from "node:crypto";
import { after, before } from "node:test";
import type { Attributes } from "@opentelemetry/api";
import { DataPointType, MetricReader } from "@opentelemetry/sdk-metrics";
import type { MetricProducer } from "@opentelemetry/sdk-metrics";
import { Kafka, logLevel, Partitioners } from "kafkajs";
import type { Admin, KafkaMessage, Message } from "kafkajs";
import { parseConfigText } from "../../../../src/config/load.ts";
import { runBalancer, type RunningTraceway } from "../../../../src/run/run-balancer.ts";
import { ensureServices, KAFKA_BROKER } from "../../../helpers/services.ts";

/** One message as a backend received it. */
export interface Received {
  /** Arrival order (request body read) across every backend of the process. */
  readonly seq: number;
  readonly backend: string;
  /** The request path. */
  readonly path: string;
  readonly key: string | undefined;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly body: string;
  readonly headers: IncomingMessage["headers"];
  /** The status the backend answered with. */
  readonly status: number;
}

let sequence = 0;

/** Decides a backend's answer to one message; 200 when it returns nothing. */
type Reply = number | { status: number; headers?: Record<string, string> } | void;
export type Answer = (message: Omit<Received, "status" | "seq">) => Reply | Promise<Reply>;

/** An HTTP backend that records each message it gets; it can be killed and started again on its port. */
export class RecordingBackend {
  readonly name: string;
  readonly received: Received[] = [];
  answer: Answer;
  #server: Server | undefined;
  #port = 0;
  readonly #sockets = new Set<Socket>();

  constructor(name: string, answer: Answer = () => 200) {
    this.name = name;
    this.answer = answer;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  async start(): Promise<this> {
    const server = createServer((req, res) => this.#handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.on("connection", (s: Socket) => {
      this.#sockets.add(s);
      s.once("close", () => this.#sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.#port, "127.0.0.1", () => resolve());
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
    return this;
  }

  /** Stops listening and cuts every connection (a crashed backend). */
  async kill(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    for (const s of this.#sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    if (req.url === "/healthz") {
      req.resume();
      res.writeHead(200).end("ok");
      return;
    }
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const h = req.headers;
      const message = {
        backend: this.name,
        path: req.url ?? "",
        key: typeof h["x-kafka-key"] === "string" ? decodeURIComponent(h["x-kafka-key"]) : undefined,
        topic: String(h["x-kafka-topic"]),
        partition: Number(h["x-kafka-partition"]),
        offset: Number(h["x-kafka-offset"]),
        body: Buffer.concat(chunks).toString("utf8"),
        headers: h,
      };
      const seq = sequence++;
      void Promise.resolve(this.answer(message)).then((reply) => {
        const answer = reply ?? 200;
        const { status, headers } = typeof answer === "number" ? { status: answer, headers: {} } : answer;
        this.received.push({ ...message, status, seq });
        res.writeHead(status, headers).end(status < 300 ? "ok" : `failed ${message.offset}`);
      });
    });
  }
}

/** A pull reader: tests read the metrics traceway records, exactly, without a scrape. */
class TestReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

/** traceway running in this process from a YAML config. */
export interface Traceway {
  readonly running: RunningTraceway;
  /** Log lines as parsed JSON objects. */
  readonly logs: Record<string, unknown>[];
  /** Sum of a counter's (or gauge's) points whose attributes include `match`. */
  metric(name: string, match?: Attributes): Promise<number>;
  stop(): Promise<void>;
}

/** `env` fills `${NAME}` references in the YAML (nothing else from the environment is used). */
export async function startTraceway(yaml: string, env: Record<string, string> = {}): Promise<Traceway> {
  const { config } = parseConfigText(yaml, { env, source: "test" });
  const logs: Record<string, unknown>[] = [];
  let reader: TestReader | undefined;
  const running = await runBalancer(config, {
    handleSignals: false,
    telemetry: {
      logDestination: {
        write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>),
      },
      metricReaders: (producers: readonly MetricProducer[]) => [
        (reader = new TestReader({ metricProducers: [...producers] })),
      ],
    },
  });
  return {
    running,
    logs,
    async metric(name, match = {}) {
      const { resourceMetrics } = await reader!.collect();
      let sum = 0;
      for (const scope of resourceMetrics.scopeMetrics) {
        for (const data of scope.metrics) {
          if (data.descriptor.name !== name) continue;
          for (const point of data.dataPoints) {
            if (!Object.entries(match).every(([k, v]) => point.attributes[k] === v)) continue;
            sum +=
              data.dataPointType === DataPointType.HISTOGRAM
                ? (point.value as { count: number }).count
                : (point.value as number);
          }
        }
      }
      return sum;
    },
    stop: () => running.stop(),
  };
}

/** A kafkajs client for the test's own producing, admin and plain consumers. */
export function testKafka(broker: string): Kafka {
  return new Kafka({ clientId: "traceway-bridge-test", brokers: [broker], logLevel: logLevel.NOTHING });
}

/** A fresh topic with a unique name; returns its name. */
export async function createTopic(admin: Admin, prefix: string, partitions: number): Promise<string> {
  const topic = `${prefix}-${randomUUID().slice(0, 8)}`;
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
  return topic;
}

/** What {@link bridgeTopicLab} sets up: filled in by its `before` hook. */
export interface TopicLab {
  readonly kafka: Kafka;
  readonly admin: Admin;
  readonly topic: string;
  /** `<topic>.dlq`, created only when asked for. */
  readonly dlq: string;
}

/**
 * Registers the set-up most bridge tests share: on the shared broker, a fresh topic (and its
 * `.dlq` topic when asked), the backends started; afterwards `stopFirst` (the traceway under test,
 * which must drain while its backends still answer), then the backends killed and the topics
 * deleted.
 */
export function bridgeTopicLab(options: {
  readonly prefix: string;
  readonly partitions: number;
  readonly backends: readonly RecordingBackend[];
  readonly dlq?: boolean;
  readonly stopFirst: () => Promise<unknown> | undefined;
}): TopicLab {
  const kafka = testKafka(KAFKA_BROKER);
  const admin = kafka.admin();
  const lab = { kafka, admin, topic: "", dlq: "" };
  before(async () => {
    await ensureServices("kafka");
    await admin.connect();
    lab.topic = await createTopic(admin, options.prefix, options.partitions);
    if (options.dlq === true) {
      lab.dlq = `${lab.topic}.dlq`;
      await admin.createTopics({ topics: [{ topic: lab.dlq, numPartitions: 1 }], waitForLeaders: true });
    }
    for (const b of options.backends) await b.start();
  });
  after(async () => {
    await options.stopFirst();
    for (const b of options.backends) await b.kill();
    const topics = [lab.topic, lab.dlq].filter((t) => t !== "");
    await admin.deleteTopics({ topics }).catch(() => undefined);
    await admin.disconnect();
  });
  return lab;
}

/**
 * Produces `count` messages spread over `keys` keys in order (message i has key `k<i % keys>` and
 * value `<key>:<i>`), in batches; returns the values produced per key, in produce order.
 */
export async function produceKeyed(
  kafka: Kafka,
  topic: string,
  count: number,
  keys: number,
  extra: (i: number) => Partial<Message> = () => ({}),
  /** Numbers the messages from here (a second batch continues the first's keys and values). */
  first = 0,
): Promise<Map<string, string[]>> {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  const byKey = new Map<string, string[]>();
  try {
    for (let start = 0; start < count; start += 500) {
      const messages: Message[] = [];
      for (let i = first + start; i < first + Math.min(count, start + 500); i++) {
        const key = `k${i % keys}`;
        const value = `${key}:${i}`;
        messages.push({ key, value, ...extra(i) });
        (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(value);
      }
      // One batch per send, acks from all replicas: the produce order per key is the log order.
      await producer.send({ topic, messages, acks: -1 });
    }
  } finally {
    await producer.disconnect();
  }
  return byKey;
}

/**
 * Every delivery per key, in arrival order across all backends (duplicates included); only the
 * 2xx ones unless `all`.
 */
export function receivedByKey(backends: readonly RecordingBackend[], all = false): Map<string, Received[]> {
  const records = backends
    .flatMap((b) => b.received)
    .filter((r) => all || r.status < 300)
    .sort((a, b) => a.seq - b.seq);
  const byKey = new Map<string, Received[]>();
  for (const r of records) {
    const key = r.key ?? "";
    (byKey.get(key) ?? byKey.set(key, []).get(key)!).push(r);
  }
  return byKey;
}

/** Total 2xx deliveries and how many of them repeat an already delivered (topic, partition, offset). */
export function deliveries(backends: readonly RecordingBackend[]): {
  delivered: number;
  unique: number;
  duplicates: number;
} {
  const seen = new Set<string>();
  let delivered = 0;
  for (const b of backends) {
    for (const r of b.received) {
      if (r.status >= 300) continue;
      delivered++;
      seen.add(`${r.topic}/${r.partition}/${r.offset}`);
    }
  }
  return { delivered, unique: seen.size, duplicates: delivered - seen.size };
}

/**
 * Deliveries that broke per-key order: a message delivered before the message produced just
 * before it (same key) was ever delivered. Redeliveries after a restart repeat a run of messages,
 * which is allowed (at-least-once); jumping ahead of an undelivered one is not.
 */
export function orderViolations(
  produced: Map<string, string[]>,
  backends: readonly RecordingBackend[],
): string[] {
  const violations: string[] = [];
  const delivered = receivedByKey(backends);
  for (const [key, values] of produced) {
    const index = new Map(values.map((v, i) => [v, i]));
    const seen = new Set<number>();
    for (const r of delivered.get(key) ?? []) {
      const i = index.get(r.body);
      if (i === undefined) continue;
      if (i > 0 && !seen.has(i - 1)) violations.push(`${r.body} before ${values[i - 1]}`);
      seen.add(i);
    }
  }
  return violations;
}

/** Values produced that no backend accepted. */
export function missing(produced: Map<string, string[]>, backends: readonly RecordingBackend[]): string[] {
  const accepted = new Set(
    backends.flatMap((b) => b.received.filter((r) => r.status < 300).map((r) => r.body)),
  );
  return [...produced.values()].flat().filter((v) => !accepted.has(v));
}

/** The YAML of a one-upstream traceway with the given bridge settings (indented YAML lines). */
export function bridgeYaml(options: {
  broker: string;
  backends: readonly RecordingBackend[];
  bridge: string;
  upstream?: string;
  server?: string;
  telemetry?: string;
  logging?: string;
  lag?: string;
}): string {
  return [
    `server: { listen: "127.0.0.1:0"${options.server ?? ""} }`,
    "upstreams:",
    "  api:",
    "    backends:",
    ...options.backends.map((b) => `      - { url: "${b.url}" }`),
    ...(options.upstream ?? "")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => `    ${l}`),
    options.telemetry ?? "telemetry: { prometheus: { enabled: false } }",
    options.logging ?? "logging: { level: info, accessLog: false }",
    "kafka:",
    `  brokers: ["${options.broker}"]`,
    "  bridges:",
    ...options.bridge.split("\n").map((l, i) => (i === 0 ? `    - ${l}` : `      ${l}`)),
    ...(options.lag === undefined ? [] : [`  lag: ${options.lag}`]),
  ].join("\n");
}

/** Reads `count` messages from `topic` (from the beginning, with a throw-away group). */
export async function readTopic(
  kafka: Kafka,
  topic: string,
  count: number,
  timeoutMs = 60_000,
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: `${topic}-reader-${randomUUID().slice(0, 8)}` });
  const messages: KafkaMessage[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: ({ message }) => {
        messages.push(message);
        return Promise.resolve();
      },
    });
    const deadline = Date.now() + timeoutMs;
    while (messages.length < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await consumer.disconnect();
  }
  return messages;
}

/** Committed offsets of `group` on `topic` equal the log-end offsets (an empty partition needs none). */
export async function committedAtEnd(admin: Admin, group: string, topic: string): Promise<boolean> {
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  const ends = await admin.fetchTopicOffsets(topic);
  return ends.every((e) => {
    const committed = offsets?.partitions.find((p) => p.partition === e.partition)?.offset;
    return committed === e.high || (committed === "-1" && e.high === e.low);
  });
}

/** One series of a Prometheus text scrape. */
export interface Series {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Scrapes a `/metrics` endpoint and parses its samples (enough of the text format for tests). */
export async function scrape(url: string): Promise<Series[]> {
  const text = await (await fetch(url, { signal: AbortSignal.timeout(5000) })).text();
  const series: Series[] = [];
  for (const line of text.split("\n")) {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g))
      labels[key!] = value!;
    series.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return series;
}

/** Process CPU seconds (user + system) from /proc: a child process's own, no children. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // utime and stime are fields 14 and 15 of stat(5), in clock ticks (100 per second on Linux).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
