import { parseArgs } from "node:util";

/** What the worker reads at start: `--flag value`, else `KAFKA_WORKER_<FLAG>`, else the default. */
export interface WorkerOptions {
  readonly brokers: string[];
  readonly topic: string;
  readonly partitions: number;
  readonly group: string;
  readonly metricsHost: string;
  readonly metricsPort: number;
  readonly otlp: string;
  readonly serviceName: string;
  readonly workMs: number;
  readonly lagIntervalMs: number;
}

const DEFAULTS = {
  brokers: "127.0.0.1:9092",
  topic: "orders",
  partitions: "3",
  group: "kafka-worker",
  "metrics-host": "127.0.0.1",
  "metrics-port": "9464",
  otlp: "",
  "service-name": "kafka-worker",
  "work-ms": "20",
  "lag-interval-ms": "15000",
} as const;

type Name = keyof typeof DEFAULTS;

/** Thrown for a bad flag or value; the worker prints the message on one line and exits 2. */
export class UsageError extends Error {}

export const USAGE = `usage: node examples/kafka-worker/worker.ts [--flag value ...]
  ${Object.entries(DEFAULTS)
    .map(([name, value]) => `--${name} (env ${envName(name)}, default "${value}")`)
    .join("\n  ")}`;

function envName(name: string): string {
  return `KAFKA_WORKER_${name.toUpperCase().replaceAll("-", "_")}`;
}

function integer(name: Name, raw: string, min: number, max: number): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} ${JSON.stringify(raw)}: want an integer from ${min} to ${max}`);
  }
  return value;
}

function url(name: Name, raw: string): string {
  if (raw === "") return raw;
  try {
    const parsed = new URL(raw);
    if (parsed.protocol === "http:" || parsed.protocol === "https:") return raw;
  } catch {
    // reported below
  }
  throw new UsageError(`--${name} ${JSON.stringify(raw)}: want an http(s) URL such as http://127.0.0.1:4318`);
}

/** @throws UsageError naming the flag (or variable) and the bad value. */
export function parseOptions(args: string[], env: NodeJS.ProcessEnv): WorkerOptions | "help" {
  const options = Object.fromEntries(
    Object.keys(DEFAULTS).map((name) => [name, { type: "string" as const }]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args, options: { ...options, help: { type: "boolean" } }, strict: true }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values["help"] === true) return "help";
  const get = (name: Name): string => {
    const flag = values[name];
    return typeof flag === "string" ? flag : (env[envName(name)] ?? DEFAULTS[name]);
  };
  const brokers = get("brokers")
    .split(",")
    .map((b) => b.trim())
    .filter((b) => b !== "");
  if (brokers.length === 0 || brokers.some((b) => !/^[^\s:]+:\d+$/.test(b))) {
    throw new UsageError(`--brokers ${JSON.stringify(get("brokers"))}: want host:port[,host:port...]`);
  }
  return {
    brokers,
    topic: get("topic"),
    partitions: integer("partitions", get("partitions"), 1, 1000),
    group: get("group"),
    metricsHost: get("metrics-host"),
    metricsPort: integer("metrics-port", get("metrics-port"), 0, 65535),
    otlp: url("otlp", get("otlp")),
    serviceName: get("service-name"),
    workMs: integer("work-ms", get("work-ms"), 0, 60_000),
    lagIntervalMs: integer("lag-interval-ms", get("lag-interval-ms"), 100, 3_600_000),
  };
}
