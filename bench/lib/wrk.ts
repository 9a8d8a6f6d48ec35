import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";

const LUA = join(import.meta.dirname, "wrk-report.lua");
/** wrk gets this long past its own duration (1000 connections take a while to close) before it is killed. */
const OVERRUN_MS = 15_000;
/** A request slower than this is a wrk timeout error, not a latency sample. */
const REQUEST_TIMEOUT = "10s";

export interface WrkOptions {
  readonly url: string;
  readonly connections: number;
  readonly threads: number;
  readonly durationS: number;
}

/** One wrk run. Latencies in milliseconds. */
export interface WrkResult {
  readonly requests: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  readonly maxMs: number;
  /** connect + read + write errors + timeouts. */
  readonly socketErrors: number;
  /** Responses with status ≥ 400 (wrk counts only those as status errors). */
  readonly httpErrors: number;
}

/** wrk processes still running, so an interrupted bench can stop them too. */
const running = new Set<ChildProcess>();

export function killRunningWrk(): void {
  for (const child of running) child.kill("SIGKILL");
}

/** Parses the `WRK_JSON` line `wrk-report.lua` prints; undefined if wrk did not get that far. */
export function parseWrkOutput(stdout: string): WrkResult | undefined {
  const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
  if (line === undefined) return undefined;
  const raw = JSON.parse(line.slice("WRK_JSON ".length)) as Record<string, number>;
  const n = (key: string): number => raw[key] ?? 0;
  const seconds = n("duration_us") / 1e6;
  return {
    requests: n("requests"),
    rps: seconds > 0 ? n("requests") / seconds : 0,
    p50Ms: n("p50_us") / 1000,
    p90Ms: n("p90_us") / 1000,
    p99Ms: n("p99_us") / 1000,
    p999Ms: n("p999_us") / 1000,
    maxMs: n("max_us") / 1000,
    socketErrors: n("connect") + n("read") + n("write") + n("timeout"),
    httpErrors: n("status"),
  };
}

export function wrkArgs(options: WrkOptions): string[] {
  return [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.durationS}s`,
    `--timeout`,
    REQUEST_TIMEOUT,
    `-s`,
    LUA,
    options.url,
  ];
}

/** Runs wrk to completion (killed if it overruns) and returns its numbers, or throws with its stderr. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const child = spawn("wrk", wrkArgs(options), { stdio: ["ignore", "pipe", "pipe"] });
  running.add(child);
  child.once("exit", () => running.delete(child));
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.once("exit", resolve);
    child.once("error", reject);
  });
  const overrun = new AbortController();
  const timer = delay(options.durationS * 1000 + OVERRUN_MS, "overrun" as const, {
    signal: overrun.signal,
  }).catch(() => "done" as const);
  const first = await Promise.race([exited, timer]);
  overrun.abort();
  if (first === "overrun") {
    child.kill("SIGKILL");
    await exited;
    throw new Error(`wrk did not finish within ${options.durationS}s + ${OVERRUN_MS} ms`);
  }
  const result = parseWrkOutput(stdout);
  if (result === undefined)
    throw new Error(`wrk failed (exit ${String(first)}): ${stderr.trim() || stdout.trim()}`);
  return result;
}
