/**
 * CPU per access line, to stdout as a file and as a pipe. How the line is made: pino with the
 * access fields (what traceway did before) or traceway's hand-built line (log-layout-json.ts). How
 * it leaves: pino's synchronous stdout writer (one write(2) per line, before), sonic-boom buffering
 * 4 KiB, traceway's LogSink (16 KiB, one asynchronous write in flight), and pino's worker-thread
 * transport (`pino/file` behind thread-stream).
 *
 * `node bench/log-destinations.ts [--lines 200000] [--rounds 3]` prints a Markdown table; each
 * measurement is a fresh child process (`--child <variant>`), rounds interleaved. Process CPU
 * counts every thread (the transport's worker, libuv's write threads); main thread is what the
 * event loop, the proxy's thread, pays.
 */
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setImmediate as yieldToLoop } from "node:timers/promises";
import { parseArgs } from "node:util";
import pino from "pino";
import type { DestinationStream } from "pino";
import { AccessLog } from "../src/telemetry/access-log.ts";
import type { AccessLogEntry } from "../src/telemetry/access-log.ts";
import { logLayout } from "../src/telemetry/log-layout.ts";
import { LogSink } from "../src/telemetry/log-sink.ts";
import { traceFlagsHex } from "../src/telemetry/trace-flags.ts";
import { median, spreadPercent } from "./lib/stats.ts";

const VARIANTS = [
  "pino line, sync write per line (before)",
  "pino line, LogSink",
  "sync write per line",
  "sonic-boom 4 KiB",
  "LogSink (16 KiB, own)",
  "worker thread",
] as const;
type Variant = (typeof VARIANTS)[number];
const OUTPUTS = ["file", "pipe"] as const;
/** Lines between event-loop turns: about what a busy proxy logs per turn at 50 connections. */
const BURST = 50;
const WARMUP_LINES = 20_000;

interface Sample {
  readonly totalMicros: number;
  readonly mainMicros: number;
}

/** The output under test and how to wait until it has taken every line. */
function destination(variant: Variant): { out: DestinationStream; close: () => Promise<void> } {
  switch (variant) {
    case "pino line, sync write per line (before)":
    case "sync write per line": {
      const out = pino.destination({ dest: 1, sync: true });
      return { out, close: () => Promise.resolve() };
    }
    case "sonic-boom 4 KiB": {
      const out = pino.destination({ dest: 1, sync: false, minLength: 4096 });
      return { out, close: () => new Promise((resolve) => (out.once("close", resolve), out.end())) };
    }
    case "pino line, LogSink":
    case "LogSink (16 KiB, own)": {
      // Lines come far faster here than from a proxy: no cap, so none is dropped and all are paid for.
      const sink = new LogSink({ maxPendingChars: Infinity });
      return { out: sink.buffered, close: () => sink.close() };
    }
    case "worker thread": {
      const out = pino.transport({ target: "pino/file", options: { destination: 1 } });
      // Waits until the worker has written everything (its fsync fails on a pipe; nothing is lost).
      return { out, close: () => new Promise((resolve) => out.flush(() => resolve())) };
    }
  }
}

/** How the line is made: traceway's hand-built access line, or pino with the same fields. */
function accessLog(variant: Variant, out: DestinationStream): Pick<AccessLog, "write"> {
  const layout = logLayout("json");
  if (!variant.startsWith("pino line")) return new AccessLog(out, layout.accessFormatter("traceway"));
  const logger = pino({ ...layout.loggerOptions("traceway"), level: "info" }, out);
  return {
    write: (e: AccessLogEntry) =>
      logger.info(
        {
          method: e.method,
          route: e.route,
          upstream: e.upstream,
          backend: e.backend,
          status: e.status,
          duration_ms: Math.round(e.durationMs * 1000) / 1000,
          retries: e.retries,
          error_code: e.errorCode,
          bytes_in: e.bytesIn,
          bytes_out: e.bytesOut,
          trace_id: e.traceId,
          span_id: e.spanId,
          trace_flags: traceFlagsHex(e.traceFlags),
        },
        "access",
      ),
  };
}

async function child(variant: Variant, lines: number): Promise<void> {
  const { out, close } = destination(variant);
  const log = accessLog(variant, out);
  const write = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      log.write({
        method: "GET",
        route: "/",
        upstream: "bench",
        backend: "127.0.0.1:40001",
        status: 200,
        durationMs: 1 + (i % 100) / 7,
        retries: 0,
        errorCode: undefined,
        bytesIn: 0,
        bytesOut: 200,
        traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
        spanId: "00f067aa0ba902b7",
        traceFlags: i % 10 === 0 ? 1 : 0,
      });
      if (i % BURST === BURST - 1) await yieldToLoop();
    }
  };
  await write(WARMUP_LINES);
  const cpu = process.cpuUsage();
  const main = process.threadCpuUsage();
  await write(lines);
  await close();
  const total = process.cpuUsage(cpu);
  const mainThread = process.threadCpuUsage(main);
  const sample: Sample = {
    totalMicros: (total.user + total.system) / lines,
    mainMicros: (mainThread.user + mainThread.system) / lines,
  };
  process.stderr.write(`${JSON.stringify(sample)}\n`);
}

/** Runs one child with stdout to a file, or to a pipe this process drains. */
function measure(
  variant: Variant,
  output: (typeof OUTPUTS)[number],
  lines: number,
  dir: string,
): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const file = output === "file" ? createWriteStream(join(dir, "out.log")) : undefined;
    const start = () => {
      const proc = spawn(
        process.execPath,
        [...process.execArgv, import.meta.filename, "--child", variant, "--lines", String(lines)],
        { stdio: ["ignore", file ?? "pipe", "pipe"] },
      );
      proc.stdout?.resume();
      let err = "";
      proc.stderr?.on("data", (c: Buffer) => (err += c.toString()));
      proc.on("exit", (code) => {
        file?.close();
        const last = err.trim().split("\n").at(-1) ?? "";
        if (code === 0) resolve(JSON.parse(last) as Sample);
        else reject(new Error(`${variant} exited ${code}: ${err}`));
      });
    };
    if (file) file.once("open", start);
    else start();
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: "string" },
      lines: { type: "string", default: "200000" },
      rounds: { type: "string", default: "3" },
    },
  });
  const lines = Number(values.lines);
  if (values.child !== undefined) return child(values.child as Variant, lines);
  const dir = mkdtempSync(join(tmpdir(), "traceway-log-bench-"));
  const rows: string[] = [
    `| output | variant | CPU µs/line, process (spread) | CPU µs/line, main thread |`,
    `| ------ | ------- | ----------------------------- | ------------------------ |`,
  ];
  try {
    for (const output of OUTPUTS) {
      const samples = new Map<Variant, Sample[]>(VARIANTS.map((v) => [v, []]));
      for (let round = 0; round < Number(values.rounds); round++)
        for (const variant of VARIANTS)
          samples.get(variant)!.push(await measure(variant, output, lines, dir));
      for (const [variant, s] of samples) {
        const total = s.map((x) => x.totalMicros);
        const main = median(s.map((x) => x.mainMicros));
        rows.push(
          `| ${output} | ${variant} | ${median(total).toFixed(2)} (±${spreadPercent(total).toFixed(0)} %) | ${main.toFixed(2)} |`,
        );
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    `${lines} access lines per run, median of ${values.rounds} runs\n\n${rows.join("\n")}\n`,
  );
}

await main();
