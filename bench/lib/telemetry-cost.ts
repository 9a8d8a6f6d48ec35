import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { RUNTIME_FLAGS } from "../../src/run/runtime-flags.ts";
import { NODE, ROOT, WORK_DIR } from "./layout.ts";
import type { Progress } from "./progress.ts";
import { rotation } from "./scenarios.ts";
import { median } from "./stats.ts";

/**
 * One measuring child: its stdout (access lines, in the access-log mode) goes to a file as a
 * deployed access log would; its result is the last line of its stderr.
 */
function run(args: readonly string[]): Promise<string> {
  const out = openSync(join(WORK_DIR, "telemetry-cost.log"), "w");
  return new Promise((resolve, reject) => {
    const child = spawn(NODE, args, { cwd: ROOT, stdio: ["ignore", out, "pipe"], timeout: 300_000 });
    closeSync(out);
    let stderr = "";
    child.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0 ? resolve(stderr) : reject(new Error(`exited ${code}: ${stderr.trim()}`)),
    );
  });
}

/** The telemetry set-ups `bench/telemetry-cost.ts` measures, with their row labels. */
export const TELEMETRY_MODES = {
  metrics: "metrics only",
  sampled: "metrics + 10% traces",
  "sampled-access-log": "metrics + 10% traces + access log (to a file)",
  all: "metrics + 100% traces",
} as const;
export type TelemetryMode = keyof typeof TELEMETRY_MODES;

export interface TelemetryCostRow {
  readonly mode: TelemetryMode;
  readonly label: string;
  readonly runs: number;
  /** Median over the runs of the observer's CPU per request, in µs. */
  readonly cpuMicrosPerRequest?: number;
  readonly failure?: string;
}

/**
 * Runs `bench/telemetry-cost.ts` once per mode and round (a fresh process each time, with the
 * binary's Node flags), modes interleaved, spans exported to `otlpEndpoint`.
 */
export async function measureTelemetryCost(
  otlpEndpoint: string,
  requests: number,
  rounds: number,
  progress: Progress,
): Promise<TelemetryCostRow[]> {
  const modes = Object.keys(TELEMETRY_MODES) as TelemetryMode[];
  const results = new Map<TelemetryMode, number[]>(modes.map((m) => [m, []]));
  const failures = new Map<TelemetryMode, string>();
  for (let round = 0; round < rounds; round++) {
    for (const mode of rotation(modes, round)) {
      if (failures.has(mode)) continue;
      progress.update(`telemetry cost: round ${round + 1}/${rounds} ${TELEMETRY_MODES[mode]}`);
      try {
        const stderr = await run([
          ...RUNTIME_FLAGS,
          join(ROOT, "bench", "telemetry-cost.ts"),
          "--mode",
          mode,
          "--otlp",
          otlpEndpoint,
          "--requests",
          String(requests),
        ]);
        const line = JSON.parse(stderr.trim().split("\n").at(-1) ?? "{}") as { cpuMicrosPerRequest?: number };
        if (typeof line.cpuMicrosPerRequest !== "number")
          throw new Error(`unexpected output: ${stderr.trim()}`);
        results.get(mode)?.push(line.cpuMicrosPerRequest);
      } catch (error) {
        failures.set(
          mode,
          `failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`,
        );
      }
    }
  }
  return modes.map((mode): TelemetryCostRow => {
    const failure = failures.get(mode);
    const label = TELEMETRY_MODES[mode];
    if (failure !== undefined) return { mode, label, runs: 0, failure };
    const values = results.get(mode) ?? [];
    return { mode, label, runs: values.length, cpuMicrosPerRequest: median(values) };
  });
}
