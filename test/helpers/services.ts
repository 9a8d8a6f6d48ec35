/**
 * Access to the real services the integration tests run against (started by scripts/services.sh on
 * 127.0.0.1 with fixed ports; see docs/services.md). `npm test` starts them once before any test file;
 * a test file that runs alone calls {@link ensureServices}, which is fast when they are already up.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { waitFor } from "./wait-for.ts";

const run = promisify(execFile);

/** Repository root (this file lives in test/helpers). */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Kafka 3.9 KRaft broker (bootstrap address for kafkajs `brokers`). */
export const KAFKA_BROKER = "127.0.0.1:19092";
/** etcd v3 client endpoint. */
export const ETCD_ENDPOINT = "http://127.0.0.1:12379";
/** Prometheus HTTP API and UI. */
export const PROMETHEUS_URL = "http://127.0.0.1:19090";
/** Jaeger OTLP/HTTP receiver (traces go to `${JAEGER_OTLP_HTTP}/v1/traces`). */
export const JAEGER_OTLP_HTTP = "http://127.0.0.1:14318";
/** Jaeger query API and UI. */
export const JAEGER_QUERY = "http://127.0.0.1:16687";

/** A service scripts/services.sh knows how to start. */
export type ServiceName = "kafka" | "etcd" | "prometheus" | "jaeger";

/** Where to reach each service. */
export interface ServiceEndpoints {
  readonly kafkaBroker: string;
  readonly etcdEndpoint: string;
  readonly prometheusUrl: string;
  readonly jaegerOtlpHttp: string;
  readonly jaegerQuery: string;
}

const ENDPOINTS: ServiceEndpoints = {
  kafkaBroker: KAFKA_BROKER,
  etcdEndpoint: ETCD_ENDPOINT,
  prometheusUrl: PROMETHEUS_URL,
  jaegerOtlpHttp: JAEGER_OTLP_HTTP,
  jaegerQuery: JAEGER_QUERY,
};

const started = new Map<string, Promise<void>>();

/**
 * Makes sure the named services run (`bash scripts/services.sh up <names>`; idempotent, serialised by a
 * file lock) and returns their endpoints. Each set of names is brought up at most once per process.
 * @throws Error carrying the script's report (failed step, port owner, log tail) when a service fails.
 */
export async function ensureServices(...names: ServiceName[]): Promise<ServiceEndpoints> {
  const key = [...names].sort().join(" ");
  let pending = started.get(key);
  if (pending === undefined) {
    pending = bringUp(names);
    started.set(key, pending);
    pending.catch(() => started.delete(key));
  }
  await pending;
  return ENDPOINTS;
}

async function bringUp(names: ServiceName[]): Promise<void> {
  try {
    await run("bash", [join(REPO_ROOT, "scripts", "services.sh"), "up", ...names], {
      cwd: REPO_ROOT,
      timeout: 300_000,
      maxBuffer: 4 * 1024 * 1024,
    });
  } catch (error) {
    throw new Error(`scripts/services.sh up ${names.join(" ")} failed:\n${processOutput(error)}`);
  }
}

/** A Prometheus scrape target registered through file_sd. */
export interface ScrapeTarget {
  /** Value of the `job` label; make it unique per test so queries never see another test's series. */
  job: string;
  /** host:port that serves `/metrics` over HTTP. */
  target: string;
  /** Extra target labels. */
  labels?: Record<string, string>;
}

/**
 * Adds a scrape target by writing `<targets>/<job>-<id>.json` (normally `.services/prometheus/targets`);
 * Prometheus picks it up within about a second (file_sd refresh 1 s, scrape interval 1 s).
 * Call {@link ensureServices} with "prometheus" first. Returns a function that removes the target.
 */
export async function addScrapeTarget(target: ScrapeTarget): Promise<() => Promise<void>> {
  const dir = await targetsDir();
  await mkdir(dir, { recursive: true });
  const safeJob = target.job.replace(/[^A-Za-z0-9_.-]/g, "_");
  const file = join(dir, `${safeJob}-${randomUUID()}.json`);
  const body = JSON.stringify([{ targets: [target.target], labels: { ...target.labels, job: target.job } }]);
  // Written under a name the *.json glob ignores, then renamed, so Prometheus never reads half a file.
  await writeFile(`${file}.tmp`, body);
  await rename(`${file}.tmp`, file);
  return () => rm(file, { force: true });
}

let knownTargetsDir: string | undefined;

/**
 * The file_sd folder of the Prometheus that actually answers on PROMETHEUS_URL: `targets/` beside its
 * config file. Asking the server (rather than assuming this checkout's .services) keeps scrape targets
 * working when services.sh reused a Prometheus started from another checkout.
 */
async function targetsDir(): Promise<string> {
  if (knownTargetsDir !== undefined) return knownTargetsDir;
  const response = await fetch(`${PROMETHEUS_URL}/api/v1/status/flags`, {
    signal: AbortSignal.timeout(5000),
  });
  const body = (await response.json()) as { data?: Record<string, string> };
  const configFile = body.data?.["config.file"];
  if (configFile === undefined) throw new Error(`Prometheus at ${PROMETHEUS_URL} did not report config.file`);
  knownTargetsDir = join(dirname(resolve(configFile)), "targets");
  return knownTargetsDir;
}

/** One series of an instant-vector PromQL result. */
export interface PromSample {
  readonly metric: Readonly<Record<string, string>>;
  readonly value: number;
  /** Evaluation time in seconds since the epoch. */
  readonly timestamp: number;
}

interface PromResponse {
  status: "success" | "error";
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

/**
 * Runs an instant PromQL query through `/api/v1/query` and returns the vector result.
 * @throws Error when Prometheus rejects the query or the result is not a vector.
 */
export async function promQuery(expr: string): Promise<PromSample[]> {
  const url = `${PROMETHEUS_URL}/api/v1/query?query=${encodeURIComponent(expr)}`;
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as PromResponse;
  if (body.status !== "success" || body.data === undefined) {
    throw new Error(`PromQL ${expr} failed: ${body.error ?? `HTTP ${response.status}`}`);
  }
  if (body.data.resultType !== "vector") {
    throw new Error(`PromQL ${expr} returned ${body.data.resultType}, expected vector`);
  }
  return body.data.result.map((r) => ({
    metric: r.metric,
    value: Number(r.value[1]),
    timestamp: r.value[0],
  }));
}

/** Waits until Prometheus has scraped every target of `job` successfully (`up{job=...} == 1`). */
export async function waitForScrape(job: string, timeoutMs = 20_000): Promise<PromSample[]> {
  const expr = `up{job=${JSON.stringify(job)}}`;
  return waitFor(
    async () => {
      const samples = await promQuery(expr);
      return samples.length > 0 && samples.every((s) => s.value === 1) ? samples : undefined;
    },
    { what: `Prometheus to scrape ${expr} == 1`, timeoutMs, intervalMs: 250 },
  );
}

/** One partition row of `kafka-consumer-groups --describe`; `null` where the tool prints "-". */
export interface ConsumerGroupRow {
  readonly topic: string;
  readonly partition: number;
  readonly currentOffset: number | null;
  readonly logEndOffset: number | null;
  readonly lag: number | null;
  readonly consumerId: string | null;
}

/**
 * Describes a consumer group with Kafka's own tool (scripts/kafka-consumer-groups.sh), the ground truth
 * for backlog. Rows are sorted by topic, then partition; a group the broker does not know yields [].
 */
export async function consumerGroupDescribe(group: string): Promise<ConsumerGroupRow[]> {
  let stdout: string;
  let stderr: string;
  try {
    ({ stdout, stderr } = await run(
      "bash",
      [join(REPO_ROOT, "scripts", "kafka-consumer-groups.sh"), "--describe", "--group", group],
      { cwd: REPO_ROOT, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 },
    ));
  } catch (error) {
    throw new Error(`kafka-consumer-groups --describe --group ${group} failed:\n${processOutput(error)}`);
  }
  if (/does not exist/.test(stdout + stderr)) return [];
  return parseDescribe(stdout, group);
}

/** Parses the describe table by its header, so column order changes between Kafka versions are harmless. */
export function parseDescribe(output: string, group: string): ConsumerGroupRow[] {
  const lines = output.split("\n").map((l) => l.trim());
  const headerAt = lines.findIndex((l) => l.startsWith("GROUP") && l.includes("LAG"));
  if (headerAt < 0) throw new Error(`no describe table for group ${group} in:\n${output}`);
  const header = lines[headerAt]!.split(/\s+/);
  const col = (name: string): number => {
    const index = header.indexOf(name);
    if (index < 0) throw new Error(`describe output has no ${name} column: ${lines[headerAt]}`);
    return index;
  };
  const at = { topic: col("TOPIC"), partition: col("PARTITION"), current: col("CURRENT-OFFSET") };
  const more = { end: col("LOG-END-OFFSET"), lag: col("LAG"), consumer: col("CONSUMER-ID") };
  const rows: ConsumerGroupRow[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (line === "" || line.startsWith("GROUP")) continue;
    const cells = line.split(/\s+/);
    const cell = (index: number): string => cells[index] ?? "-";
    rows.push({
      topic: cell(at.topic),
      partition: Number(cell(at.partition)),
      currentOffset: numberOrNull(cell(at.current)),
      logEndOffset: numberOrNull(cell(more.end)),
      lag: numberOrNull(cell(more.lag)),
      consumerId: cell(more.consumer) === "-" ? null : cell(more.consumer),
    });
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

function numberOrNull(text: string): number | null {
  return text === "-" || text === "" ? null : Number(text);
}

function processOutput(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const e = error as { stdout?: unknown; stderr?: unknown; message?: unknown };
    return [e.message, e.stdout, e.stderr].filter((x) => typeof x === "string" && x !== "").join("\n");
  }
  return String(error);
}
