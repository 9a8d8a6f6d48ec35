/**
 * Exercises the kafkajs operations traceway relies on against one broker and prints one line per
 * operation, `OK` or `FAIL` with the error's name and message; exits 1 when any failed. Written for
 * the Kafka 4.x check in scripts/kafka4-compat.sh (which starts the broker), but works on any broker.
 *
 * Before the operations it asks the broker for its API version ranges (a raw ApiVersions v0 request)
 * and prints, for every API kafkajs implements, the version kafkajs will pick (the highest both
 * support: kafkajs never checks the broker's minimum) and whether that is below the broker's minimum,
 * which is what Kafka 4.0 raised (KIP-896).
 *
 * Usage: node scripts/kafka4-compat-probe.ts [--broker 127.0.0.1:29092] [--topic T] [--group G]
 *        [--phase all|main|delete]
 *   main: everything but deleteTopics (the topic and the groups G and G-batch are left for inspection);
 *   delete: deleteTopics of T only; all (default): both.
 */
import { createRequire } from "node:module";
import { connect } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { parseArgs } from "node:util";
import { CompressionTypes, Kafka, logLevel, Partitioners } from "kafkajs";
import type { Admin, Consumer, IHeaders, KafkaMessage, LogEntry, RecordMetadata } from "kafkajs";

const PARTITIONS = 3;
const PLAIN_MESSAGES = 30;
const GZIP_MESSAGES = 30;
const TOTAL = PLAIN_MESSAGES + GZIP_MESSAGES;
const OP_TIMEOUT_MS = 30_000;
const CLIENT_ID = "traceway-kafka4-probe";
/** A 1 s fetch wait instead of kafkajs' 5 s, so disconnect (which waits for the fetch in flight) is quick. */
const CONSUMER_TIMINGS = { sessionTimeout: 10_000, heartbeatInterval: 1000, maxWaitTimeInMs: 1000 } as const;

const { values } = parseArgs({
  options: {
    broker: { type: "string", default: "127.0.0.1:29092" },
    topic: { type: "string" },
    group: { type: "string" },
    phase: { type: "string", default: "all" },
  },
});
const broker = values.broker;
const runId = `${Date.now()}-${process.pid}`;
const topic = values.topic ?? `traceway-kafka4-${runId}`;
const group = values.group ?? `traceway-kafka4-${runId}`;
const batchGroup = `${group}-batch`;
const phase = values.phase;
if (phase !== "all" && phase !== "main" && phase !== "delete") {
  process.stderr.write(`unknown --phase ${phase} (all, main or delete)\n`);
  process.exit(2);
}

// ---------------------------------------------------------------------------------------------------
// Results, deadlines, errors

interface Result {
  readonly operation: string;
  readonly ok: boolean;
  readonly detail: string;
}

const results: Result[] = [];

class DeadlineError extends Error {
  override name = "DeadlineExceeded";
}

class CheckError extends Error {
  override name = "CheckFailed";
}

/** Rejects with a DeadlineError when `promise` has not settled within `ms`. */
async function withDeadline<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new DeadlineError(`${what}: no result within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/** Polls `check` every `intervalMs` until it returns true; throws once `timeoutMs` has passed. */
async function waitFor(
  what: string,
  timeoutMs: number,
  check: () => boolean,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() >= deadline) throw new DeadlineError(`${what}: not reached within ${timeoutMs} ms`);
    await delay(intervalMs);
  }
}

function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(describeError(value));
}

function check(condition: boolean, message: string): void {
  if (!condition) throw new CheckError(message);
}

/** `Name: message`, with kafkajs' protocol error type/code and the cause chain when present. */
function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    if (!(current instanceof Error)) {
      parts.push(typeof current === "string" ? current : (JSON.stringify(current) ?? typeof current));
      break;
    }
    const extra: string[] = [];
    if ("type" in current && typeof current.type === "string") extra.push(`type=${current.type}`);
    if ("code" in current && (typeof current.code === "number" || typeof current.code === "string")) {
      extra.push(`code=${current.code}`);
    }
    parts.push(`${current.name}: ${current.message}${extra.length > 0 ? ` (${extra.join(", ")})` : ""}`);
    const next: unknown =
      "originalError" in current && current.originalError instanceof Error
        ? current.originalError
        : current.cause;
    if (next === current) break;
    current = next;
  }
  return parts.join(" <- ");
}

/** Runs one operation with a deadline and records and prints its OK/FAIL line. */
async function op<T>(
  operation: string,
  run: () => Promise<T>,
  summary: (value: T) => string = () => "",
  timeoutMs = OP_TIMEOUT_MS,
): Promise<T | undefined> {
  const started = performance.now();
  try {
    const value = await withDeadline(operation, timeoutMs, run());
    const detail = summary(value);
    record(operation, true, detail, started);
    return value;
  } catch (error) {
    record(operation, false, describeError(error), started);
    return undefined;
  }
}

function record(operation: string, ok: boolean, detail: string, started: number): void {
  results.push({ operation, ok, detail });
  const ms = `${Math.round(performance.now() - started)} ms`;
  process.stdout.write(`${ok ? "OK  " : "FAIL"}  ${operation.padEnd(44)} ${ms.padStart(8)}  ${detail}\n`);
}

// ---------------------------------------------------------------------------------------------------
// Broker API versions (raw ApiVersions v0) against what kafkajs implements

interface ApiRange {
  readonly apiKey: number;
  readonly min: number;
  readonly max: number;
}

/** One ApiVersions v0 request over a plain socket: the broker's supported range for every API key. */
async function brokerApiVersions(address: string, timeoutMs: number): Promise<ApiRange[]> {
  const [host = "127.0.0.1", portText = "9092"] = address.split(":");
  const clientId = Buffer.from("traceway-kafka4-apiversions");
  // Request header v1: api key, api version, correlation id, client id (int16 length + bytes); no body.
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(1, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);

  const response = await withDeadline(
    "ApiVersions",
    timeoutMs,
    new Promise<Buffer>((resolve, reject) => {
      const socket = connect({ host, port: Number(portText) });
      let received = Buffer.alloc(0);
      socket.on("connect", () => socket.write(Buffer.concat([size, body])));
      socket.on("data", (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length >= 4 && received.length >= 4 + received.readInt32BE(0)) {
          socket.end();
          resolve(received.subarray(4, 4 + received.readInt32BE(0)));
        }
      });
      socket.on("error", reject);
      socket.on("close", () => reject(new Error("connection closed before a full ApiVersions response")));
    }),
  );
  // Response v0: correlation id, error code, array of (api key, min, max). UNSUPPORTED_VERSION (35)
  // still carries the array, so it is read regardless of the error code.
  const errorCode = response.readInt16BE(4);
  const count = response.readInt32BE(6);
  check(errorCode === 0 || errorCode === 35, `ApiVersions error code ${errorCode}`);
  const ranges: ApiRange[] = [];
  for (let i = 0; i < count; i += 1) {
    const at = 10 + i * 6;
    ranges.push({
      apiKey: response.readInt16BE(at),
      min: response.readInt16BE(at + 2),
      max: response.readInt16BE(at + 4),
    });
  }
  return ranges;
}

interface KafkajsApi {
  readonly name: string;
  readonly apiKey: number;
  readonly versions: readonly number[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null;
}

/** The request versions kafkajs implements, read from its own protocol tables. */
function kafkajsApis(): KafkajsApi[] {
  const require = createRequire(import.meta.url);
  const table: unknown = require("kafkajs/src/protocol/requests/index.js");
  const keys: unknown = require("kafkajs/src/protocol/requests/apiKeys.js");
  if (!isRecord(table) || !isRecord(table.requests) || !isRecord(keys)) {
    throw new CheckError("kafkajs protocol tables have an unexpected shape");
  }
  const apis: KafkajsApi[] = [];
  for (const [name, definition] of Object.entries(table.requests)) {
    const apiKey = keys[name];
    if (typeof apiKey !== "number" || !isRecord(definition) || !Array.isArray(definition.versions)) continue;
    const versions = definition.versions.map(Number).filter((version) => Number.isInteger(version));
    if (versions.length > 0) apis.push({ name, apiKey, versions });
  }
  return apis.sort((a, b) => a.apiKey - b.apiKey);
}

/** Prints the negotiation table; returns the names of APIs kafkajs would call below the broker's minimum. */
function printNegotiation(ranges: readonly ApiRange[], apis: readonly KafkajsApi[]): string[] {
  const below: string[] = [];
  process.stdout.write(
    `\n${"api".padEnd(28)} ${"key".padStart(3)}  ${"kafkajs".padEnd(8)} ${"broker".padEnd(8)} ${"uses".padStart(4)}  status\n`,
  );
  for (const api of apis) {
    const range = ranges.find((r) => r.apiKey === api.apiKey);
    const kjsMax = Math.max(...api.versions);
    const kjs = `${Math.min(...api.versions)}-${kjsMax}`;
    let status: string;
    let uses = "-";
    if (range === undefined) {
      status = "broker lacks this API";
    } else {
      const chosen = Math.min(kjsMax, range.max);
      uses = String(chosen);
      status = chosen < range.min ? "BELOW BROKER MINIMUM" : "ok";
      if (chosen < range.min) below.push(`${api.name} v${chosen} (broker ${range.min}-${range.max})`);
    }
    const brokerText = range === undefined ? "-" : `${range.min}-${range.max}`;
    process.stdout.write(
      `${api.name.padEnd(28)} ${String(api.apiKey).padStart(3)}  ${kjs.padEnd(8)} ${brokerText.padEnd(8)} ${uses.padStart(4)}  ${status}\n`,
    );
  }
  process.stdout.write("\n");
  return below;
}

// ---------------------------------------------------------------------------------------------------
// kafkajs operations

const kafka = new Kafka({
  clientId: CLIENT_ID,
  brokers: [broker],
  connectionTimeout: 3000,
  requestTimeout: 10_000,
  retry: { retries: 4, initialRetryTime: 200, maxRetryTime: 3000 },
  logLevel: logLevel.WARN,
  logCreator:
    () =>
    ({ namespace, label, log }: LogEntry) => {
      const error: unknown = log.error;
      const suffix = typeof error === "string" ? ` (${error})` : "";
      process.stderr.write(`[kafkajs ${label}] ${namespace}: ${log.message}${suffix}\n`);
    },
});

function headerText(headers: IHeaders | undefined, name: string): string | undefined {
  const value = headers?.[name];
  if (value === undefined) return undefined;
  const first = Array.isArray(value) ? value[0] : value;
  return first === undefined ? undefined : first.toString();
}

interface Consumed {
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly index: number;
  readonly kind: string;
}

function decode(partition: number, message: KafkaMessage): Consumed {
  return {
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? "",
    index: Number(headerText(message.headers, "traceway-index") ?? "-1"),
    kind: headerText(message.headers, "traceway-kind") ?? "",
  };
}

/** Every produced message arrived once, with its key, headers and value, and one key kept one partition. */
function verifyConsumed(consumed: readonly Consumed[]): string {
  const indexes = new Set(consumed.map((m) => m.index));
  check(consumed.length === TOTAL, `consumed ${consumed.length} messages, expected ${TOTAL}`);
  check(indexes.size === TOTAL, `${indexes.size} distinct messages, expected ${TOTAL}`);
  for (let i = 0; i < TOTAL; i += 1) check(indexes.has(i), `message ${i} missing`);
  for (const message of consumed) {
    check(message.key === `key-${message.index % 6}`, `message ${message.index} has key '${message.key}'`);
    const kind = message.index < PLAIN_MESSAGES ? "plain" : "gzip";
    check(message.kind === kind, `message ${message.index} has kind header '${message.kind}'`);
  }
  const partitionOfKey = new Map<string, Set<number>>();
  for (const message of consumed) {
    const set = partitionOfKey.get(message.key) ?? new Set<number>();
    set.add(message.partition);
    partitionOfKey.set(message.key, set);
  }
  for (const [key, set] of partitionOfKey)
    check(set.size === 1, `key ${key} landed on partitions ${[...set].join(",")}`);
  const byPartition = [...new Set(consumed.map((m) => m.partition))].sort().map((p) => {
    return `p${p}:${consumed.filter((m) => m.partition === p).length}`;
  });
  return `${consumed.length} messages, keys and headers intact (${byPartition.join(" ")})`;
}

/** Offset to commit per partition: the last consumed offset + 1. */
function endOffsets(consumed: readonly Consumed[]): Map<number, number> {
  const ends = new Map<number, number>();
  for (const message of consumed) {
    ends.set(message.partition, Math.max(ends.get(message.partition) ?? 0, message.offset + 1));
  }
  return ends;
}

function formatEnds(ends: ReadonlyMap<number, number>): string {
  return [...ends]
    .sort((a, b) => a[0] - b[0])
    .map(([partition, offset]) => `p${partition}=${offset}`)
    .join(" ");
}

async function fetchGroupOffsets(admin: Admin, groupId: string): Promise<Map<number, number>> {
  const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
  const ends = new Map<number, number>();
  for (const entry of offsets.filter((o) => o.topic === topic)) {
    for (const p of entry.partitions) ends.set(p.partition, Number(p.offset));
  }
  return ends;
}

function sameEnds(actual: ReadonlyMap<number, number>, expected: ReadonlyMap<number, number>): boolean {
  if (expected.size === 0) return false;
  for (const [partition, offset] of expected) if (actual.get(partition) !== offset) return false;
  return true;
}

function produced(metadata: readonly RecordMetadata[]): string {
  for (const m of metadata) check(m.errorCode === 0, `partition ${m.partition} error code ${m.errorCode}`);
  const parts = metadata.map((m) => `p${m.partition}@${m.baseOffset ?? "?"}`).join(" ");
  return `acks from ${metadata.length} partitions (${parts})`;
}

async function mainPhase(): Promise<void> {
  const brokerRanges = await op(
    "ApiVersions (raw v0): broker ranges",
    () => brokerApiVersions(broker, 5000),
    (ranges) => `${ranges.length} API keys`,
  );
  if (brokerRanges !== undefined) {
    const below = printNegotiation(brokerRanges, kafkajsApis());
    process.stdout.write(
      below.length === 0
        ? "kafkajs picks a version within the broker's range for every API it implements\n\n"
        : `kafkajs would call these below the broker's minimum: ${below.join(", ")}\n\n`,
    );
  }

  const admin = kafka.admin();
  await op("admin.connect", () => admin.connect());
  await op(
    `admin.createTopics (${PARTITIONS} partitions)`,
    async () => {
      const created = await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      check(created, `createTopics returned false (topic ${topic} existed already)`);
      return created;
    },
    () => topic,
  );
  await op(
    "admin.listTopics",
    async () => {
      const topics = await admin.listTopics();
      check(topics.includes(topic), `${topic} not among ${topics.length} topics`);
      return topics;
    },
    (topics) => `${topics.length} topics, ours included`,
  );
  await op(
    "admin.fetchTopicMetadata",
    async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics.find((t) => t.name === topic)?.partitions ?? [];
      check(partitions.length === PARTITIONS, `${partitions.length} partitions, expected ${PARTITIONS}`);
      for (const p of partitions) check(p.leader >= 0, `partition ${p.partitionId} has no leader`);
      return partitions;
    },
    (partitions) => partitions.map((p) => `p${p.partitionId} leader ${p.leader}`).join(", "),
  );

  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await op("producer.connect", () => producer.connect());
  await op(
    `producer.send (${PLAIN_MESSAGES} keyed, headers, acks -1)`,
    () =>
      producer.send({
        topic,
        acks: -1,
        messages: Array.from({ length: PLAIN_MESSAGES }, (_, i) => ({
          key: `key-${i % 6}`,
          value: JSON.stringify({ i, text: "plain ".repeat(8) }),
          headers: { "traceway-index": String(i), "traceway-kind": "plain" },
        })),
      }),
    produced,
  );
  await op(
    `producer.sendBatch (${GZIP_MESSAGES} keyed, gzip)`,
    () =>
      producer.sendBatch({
        acks: -1,
        compression: CompressionTypes.GZIP,
        topicMessages: [
          {
            topic,
            messages: Array.from({ length: GZIP_MESSAGES }, (_, n) => {
              const i = PLAIN_MESSAGES + n;
              return {
                key: `key-${i % 6}`,
                value: JSON.stringify({ i, text: "gzip ".repeat(40) }),
                headers: { "traceway-index": String(i), "traceway-kind": "gzip" },
              };
            }),
          },
        ],
      }),
    produced,
  );
  await op("producer.disconnect", () => producer.disconnect());

  // eachMessage consumer: group join, consume everything, auto commit, explicit commitOffsets.
  const consumer = kafka.consumer({ groupId: group, ...CONSUMER_TIMINGS });
  const consumed: Consumed[] = [];
  let joined: string | undefined;
  let crashed: unknown;
  const autoCommits = new Map<number, number>();
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
    const assigned = Object.values(payload.memberAssignment).flat().length;
    joined = `generation ok, leader=${payload.isLeader}, protocol ${payload.groupProtocol}, ${assigned} partitions assigned`;
  });
  consumer.on(consumer.events.COMMIT_OFFSETS, ({ payload }) => {
    for (const t of payload.topics) {
      if (t.topic !== topic) continue;
      // kafkajs types say number, but auto commits carry the partition as a string (an Object.keys key).
      for (const p of t.partitions) autoCommits.set(Number(p.partition), Number(p.offset));
    }
  });
  const restarts: string[] = [];
  watchCrashes(consumer, restarts, (error) => {
    crashed = error;
  });
  const notCrashed = (): boolean => {
    if (crashed !== undefined) throw asError(crashed);
    return true;
  };

  await op("consumer.connect", () => consumer.connect());
  await op("consumer.subscribe (fromBeginning)", () =>
    consumer.subscribe({ topics: [topic], fromBeginning: true }),
  );
  await op(
    "consumer group join (eachMessage run)",
    async () => {
      await consumer.run({
        eachMessage: ({ partition, message }) => {
          consumed.push(decode(partition, message));
          return Promise.resolve();
        },
      });
      await waitFor("GROUP_JOIN event", OP_TIMEOUT_MS - 1000, () => notCrashed() && joined !== undefined);
      return `${joined ?? ""}${restartNote(restarts)}`;
    },
    (detail) => detail,
  );
  await op(
    `eachMessage consumes all ${TOTAL}`,
    async () => {
      await waitFor(
        `${TOTAL} messages`,
        OP_TIMEOUT_MS - 1000,
        () => notCrashed() && consumed.length >= TOTAL,
      );
      return verifyConsumed(consumed);
    },
    (detail) => detail,
  );
  const ends = endOffsets(consumed);
  await op(
    "auto commit (COMMIT_OFFSETS event)",
    async () => {
      try {
        await waitFor("auto commit of every partition's end offset", OP_TIMEOUT_MS - 1000, () =>
          sameEnds(autoCommits, ends),
        );
      } catch (error) {
        const seen = formatEnds(autoCommits) || "none";
        throw new CheckError(
          `${describeError(error)}; expected ${formatEnds(ends)}, auto commits seen: ${seen}`,
        );
      }
      return autoCommits;
    },
    (commits) => formatEnds(commits),
  );
  await op(
    "consumer.commitOffsets (explicit)",
    () =>
      consumer.commitOffsets(
        [...ends].map(([partition, offset]) => ({ topic, partition, offset: String(offset) })),
      ),
    () => formatEnds(ends),
  );
  await op(
    "admin.fetchOffsets (eachMessage group)",
    async () => {
      const committed = await fetchGroupOffsets(admin, group);
      check(sameEnds(committed, ends), `committed ${formatEnds(committed)}, expected ${formatEnds(ends)}`);
      return committed;
    },
    (committed) => formatEnds(committed),
  );
  await op(
    "admin.fetchTopicOffsets",
    async () => {
      const offsets = await admin.fetchTopicOffsets(topic);
      const high = new Map(offsets.map((o) => [o.partition, Number(o.high)]));
      const sum = [...high.values()].reduce((a, b) => a + b, 0);
      check(offsets.length === PARTITIONS, `${offsets.length} partitions`);
      check(sum === TOTAL, `high watermarks sum to ${sum}, expected ${TOTAL}`);
      check(sameEnds(high, ends), `high ${formatEnds(high)} differs from consumed ends ${formatEnds(ends)}`);
      return high;
    },
    (high) => `high ${formatEnds(high)}, low 0`,
  );
  await op(
    "admin.describeGroups",
    async () => {
      const { groups } = await admin.describeGroups([group]);
      const described = groups.find((g) => g.groupId === group);
      check(described !== undefined, "group not in the answer");
      check(described?.state === "Stable", `state ${described?.state}`);
      check(described?.members.length === 1, `${described?.members.length} members`);
      return described;
    },
    (g) =>
      `state ${g?.state}, protocolType ${g?.protocolType}, protocol ${g?.protocol}, ${g?.members.length} member`,
  );
  await op("consumer.disconnect (LeaveGroup)", () => consumer.disconnect());

  // eachBatch consumer with a second group.
  const batchConsumer = kafka.consumer({ groupId: batchGroup, ...CONSUMER_TIMINGS });
  await op(
    `eachBatch consumes all ${TOTAL} (second group)`,
    () => consumeWithEachBatch(batchConsumer),
    (detail) => detail,
  );
  await op("consumer.disconnect (eachBatch group)", () => batchConsumer.disconnect());
  await op(
    "admin.fetchOffsets (eachBatch group)",
    async () => {
      const committed = await fetchGroupOffsets(admin, batchGroup);
      check(sameEnds(committed, ends), `committed ${formatEnds(committed)}, expected ${formatEnds(ends)}`);
      return committed;
    },
    (committed) => formatEnds(committed),
  );
  await op("admin.disconnect", () => admin.disconnect());
}

/**
 * kafkajs reports a retriable error in its consumer loop as a CRASH event with `restart: true` and
 * then restarts the consumer by itself; only `restart: false` ends it. Restarts are collected so the
 * result line shows them instead of hiding them.
 */
function watchCrashes(consumer: Consumer, restarts: string[], fatal: (error: Error) => void): void {
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    if (payload.restart) restarts.push(describeError(payload.error));
    else fatal(payload.error);
  });
}

function restartNote(restarts: readonly string[]): string {
  if (restarts.length === 0) return "";
  return `; kafkajs restarted the consumer ${restarts.length}x after: ${[...new Set(restarts)].join(" | ")}`;
}

/** Joins the second group and consumes the topic with eachBatch (resolving offsets by hand). */
async function consumeWithEachBatch(consumer: Consumer): Promise<string> {
  const consumed: Consumed[] = [];
  let batches = 0;
  let crashed: unknown;
  const restarts: string[] = [];
  watchCrashes(consumer, restarts, (error) => {
    crashed = error;
  });
  await consumer.connect();
  await consumer.subscribe({ topics: [topic], fromBeginning: true });
  await consumer.run({
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      batches += 1;
      for (const message of payload.batch.messages) {
        consumed.push(decode(payload.batch.partition, message));
        payload.resolveOffset(message.offset);
      }
      await payload.heartbeat();
      // With no autoCommitInterval/Threshold this commits nothing itself; kafkajs' auto commit after
      // each batch commits the resolved offsets.
      await payload.commitOffsetsIfNecessary();
    },
  });
  await waitFor(`${TOTAL} messages by eachBatch`, OP_TIMEOUT_MS - 1000, () => {
    if (crashed !== undefined) throw asError(crashed);
    return consumed.length >= TOTAL;
  });
  const detail = verifyConsumed(consumed);
  return `${batches} batches, ${detail}${restartNote(restarts)}`;
}

async function deletePhase(): Promise<void> {
  const admin = kafka.admin();
  await op("admin.connect", () => admin.connect());
  await op(
    "admin.deleteTopics",
    async () => {
      await admin.deleteTopics({ topics: [topic], timeout: 10_000 });
      let topics: string[] = [];
      const deadline = Date.now() + 15_000;
      do {
        topics = await admin.listTopics();
        if (!topics.includes(topic)) return topic;
        await delay(200);
      } while (Date.now() < deadline);
      throw new DeadlineError(`${topic} still listed 15 s after deleteTopics`);
    },
    (deleted) => `${deleted} gone from listTopics`,
  );
  await op("admin.disconnect", () => admin.disconnect());
}

process.stdout.write(`kafkajs probe: broker ${broker}, topic ${topic}, groups ${group} and ${batchGroup}\n`);
if (phase === "all" || phase === "main") await mainPhase();
if (phase === "all" || phase === "delete") await deletePhase();

const failed = results.filter((r) => !r.ok);
process.stdout.write(
  `\nkafkajs probe (${phase}): ${results.length - failed.length} OK, ${failed.length} FAIL` +
    (failed.length > 0 ? `: ${failed.map((r) => r.operation).join("; ")}` : "") +
    "\n",
);
// A failed operation can leave kafkajs retrying in the background; the verdict is in, so stop here.
process.exit(failed.length > 0 ? 1 : 0);
