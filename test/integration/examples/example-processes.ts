/**
 * Runs the two example programs (examples/gin-service, examples/kafka-worker) as real child processes
 * for the tests in this folder: builds the Go binary through scripts/gin-service.sh (once per test
 * file; a no-op when the sources did not change), collects each process's JSON log lines and waits
 * for the line that says it is ready.
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const run = promisify(execFile);

/** One parsed JSON log line. */
export type LogLine = Record<string, unknown>;

/** A running example program. */
export interface ExampleProcess {
  readonly child: ChildProcess;
  /** Every JSON line it wrote to stdout so far. */
  readonly lines: LogLine[];
  stderr(): string;
  /** Resolves when it exits, with its code (null when a signal ended it) and signal. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The first log line with this `msg` (and matching `where`), waiting up to `timeoutMs`. */
  waitForLine(msg: string, where?: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGTERM, then SIGKILL after 15 s; resolves once it exited. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * For the `before` hooks that build: a first build with empty Go caches takes about 5 minutes on the
 * 2-core machine, more than the runner's per-test bound (CI builds in `.ci/run` beforehand).
 */
export const BUILD_TIMEOUT_MS = 25 * 60_000;

let built: Promise<string> | undefined;

/** Path of the gin-service binary, built by scripts/gin-service.sh when its sources changed. */
export function ginServiceBinary(): Promise<string> {
  built ??= run("bash", [join(REPO_ROOT, "scripts", "gin-service.sh"), "build"], {
    cwd: REPO_ROOT,
    timeout: 1_500_000,
    maxBuffer: 4 * 1024 * 1024,
  }).then(({ stdout }) => stdout.trim().split("\n").at(-1) ?? "");
  return built;
}

function startProcess(command: string, args: string[], env: Record<string, string>): ExampleProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const lines: LogLine[] = [];
  let pending = "";
  let err = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    pending += chunk.toString("utf8");
    const parts = pending.split("\n");
    pending = parts.pop() ?? "";
    for (const part of parts) if (part.trim() !== "") lines.push(JSON.parse(part) as LogLine);
  });
  child.stderr?.on("data", (chunk: Buffer) => (err += chunk.toString("utf8")));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  const waitForLine = (msg: string, where: (line: LogLine) => boolean = () => true, timeoutMs = 20_000) =>
    waitFor(() => lines.find((l) => l["msg"] === msg && where(l)), {
      what: `log line "${msg}" from ${command} (stderr: ${err.slice(-500)})`,
      timeoutMs,
    });
  return {
    child,
    lines,
    stderr: () => err,
    exited,
    waitForLine,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** A started gin-service with the address it bound. */
export interface GinService extends ExampleProcess {
  /** http://host:port of its API. */
  readonly url: string;
  /** host:port it registers in etcd. */
  readonly advertise: string;
}

/** Starts gin-service with `--listen 127.0.0.1:0` plus `args`; resolves once it logged `listening`. */
export async function startGinService(args: string[], env: Record<string, string> = {}): Promise<GinService> {
  const binary = await ginServiceBinary();
  const proc = startProcess(binary, ["--listen", "127.0.0.1:0", ...args], env);
  try {
    const listening = await proc.waitForLine("listening");
    return {
      ...proc,
      url: `http://${String(listening["address"])}`,
      advertise: String(listening["advertise"]),
    };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** Starts the kafka-worker with a free metrics port plus `args`; resolves once it logged `consuming`. */
export async function startWorker(args: string[]): Promise<ExampleProcess & { metricsUrl: string }> {
  const node = join(REPO_ROOT, "node_modules", ".bin", "node");
  // "development": traceway/interceptors resolves to the TypeScript sources of this checkout.
  const script = join(REPO_ROOT, "examples", "kafka-worker", "worker.ts");
  const proc = startProcess(node, ["--conditions=development", script, "--metrics-port", "0", ...args], {});
  try {
    const consuming = await proc.waitForLine("consuming", undefined, 60_000);
    return { ...proc, metricsUrl: String(consuming["metrics"]) };
  } catch (error) {
    await proc.stop();
    throw error;
  }
}

/** Names no other test (or run) uses: an etcd prefix and a Kafka topic. */
export function uniqueNames(label: string): { prefix: string; topic: string } {
  const id = randomUUID();
  return { prefix: `/traceway-test/${label}-${id}/`, topic: `traceway-${label}-${id}` };
}

/** Resolves when the process is gone, or rejects after `timeoutMs`. */
export async function exitWithin(
  proc: ExampleProcess,
  timeoutMs: number,
): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`process did not exit within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([proc.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
