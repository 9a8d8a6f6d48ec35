/**
 * `npm run bench:profile [-- --seconds 8] [-- --path /small]`: where a proxied request's CPU goes.
 * traceway with telemetry off, traceway with metrics + 10% traces, and the 30-line undici peer
 * each serve wrk (2 threads, 50 connections) on the bench's three nginx backends under the V8
 * profiler (`--cpu-prof`); their main-thread samples are grouped (bench/lib/cpu-profile.ts) and
 * divided by the requests they served. The peer is the floor a Node proxy on node:http and undici
 * cannot go below; the difference to it is what traceway adds. Writes
 * bench/results/<date>-<commit>-profile.md. See docs/bench.md.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startBackends } from "./lib/backends.ts";
import { writeBodies } from "./lib/bodies.ts";
import { ChildRegistry } from "./lib/children.ts";
import { CATEGORIES, NOT_REQUEST_WORK, readProfiles, timeByCategory } from "./lib/cpu-profile.ts";
import type { Category } from "./lib/cpu-profile.ts";
import { fixed, int, table } from "./lib/format.ts";
import { NODE, RESULTS_DIR, ROOT, WORK_DIR } from "./lib/layout.ts";
import { machineInfo } from "./lib/machine.ts";
import { startOtlpReceiver } from "./lib/otlp-receiver.ts";
import { treeCpuSeconds } from "./lib/proc.ts";
import { profileFolder, startPeer, startTraceway } from "./lib/start-targets.ts";
import type { StartContext } from "./lib/start-targets.ts";
import type { Target } from "./lib/target.ts";
import { runWrk } from "./lib/wrk.ts";

const WARMUP_S = 2;

interface Profiled {
  readonly name: string;
  readonly requests: number;
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
  readonly byCategory: Map<Category, number>;
}

function options(): { seconds: number; path: string } {
  const { values } = parseArgs({
    options: { seconds: { type: "string", default: "8" }, path: { type: "string", default: "/small" } },
  });
  const seconds = Number(values.seconds);
  if (!(Number.isInteger(seconds) && seconds >= 1 && seconds <= 120))
    throw new Error(`--seconds must be a whole number from 1 to 120, got '${values.seconds}'`);
  if (!["/small", "/16k", "/1m"].includes(values.path))
    throw new Error(`--path must be /small, /16k or /1m, got '${values.path}'`);
  return { seconds, path: values.path };
}

/** Warm-up and measured run; the profile covers both, so both count as served requests. */
async function drive(target: Target, path: string, seconds: number): Promise<Omit<Profiled, "byCategory">> {
  const url = `${target.url}${path}`;
  const warm = await runWrk({ url, connections: 50, threads: 2, durationS: WARMUP_S });
  const pid = target.child?.pid;
  const cpuBefore = pid === undefined ? undefined : treeCpuSeconds(pid);
  const run = await runWrk({ url, connections: 50, threads: 2, durationS: seconds });
  const cpuAfter = pid === undefined ? undefined : treeCpuSeconds(pid);
  const cpu = cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore;
  return {
    name: target.name,
    requests: warm.requests + run.requests,
    rps: run.rps,
    cpuMicrosPerRequest: (cpu * 1e6) / run.requests,
  };
}

function render(rows: readonly Profiled[], path: string, seconds: number): string {
  const machine = machineInfo();
  const perRequest = (r: Profiled, c: Category): number => r.byCategory.get(c)! / r.requests;
  const work = CATEGORIES.filter((c) => !NOT_REQUEST_WORK.has(c));
  const busy = (r: Profiled): number => work.reduce((sum, c) => sum + perRequest(r, c), 0);
  const body = table(
    ["main thread, µs per request", ...rows.map((r) => r.name)],
    [
      ...work.map((c) => [c, ...rows.map((r) => fixed(perRequest(r, c), 1))]),
      ["**all request work**", ...rows.map((r) => `**${fixed(busy(r), 1)}**`)],
      ["idle (waiting in epoll)", ...rows.map((r) => fixed(perRequest(r, "idle"), 1))],
      ["req/s (measured run)", ...rows.map((r) => int(r.rps))],
      ["CPU µs/req, all threads (/proc)", ...rows.map((r) => fixed(r.cpuMicrosPerRequest, 0))],
    ],
  );
  return `# Where a proxied request's CPU goes, ${machine.date.slice(0, 10)}

${machine.cores} cores, ${machine.cpuModel}, Node ${machine.node}, commit ${machine.shortCommit}. wrk 2 threads, 50 connections, \`GET ${path}\`, ${WARMUP_S} s warm-up + ${seconds} s per target, one target at a time, each under \`--cpu-prof\` (which itself slows it a little).

${body}

Each column's main-thread samples grouped by what was on top of the stack, divided by the requests the target served while profiled (warm-up and run; module loading and idle time are left out of the work). The undici peer is node:http in front of an undici pool and nothing else: the floor for a Node proxy built on them. "All threads" adds libuv's and V8's helper threads (GC, compilation).
`;
}

async function main(): Promise<void> {
  const { seconds, path } = options();
  // traceway runs from its compiled output, as in `npm run bench`.
  execFileSync(NODE, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"], {
    cwd: ROOT,
    stdio: "inherit",
  });
  const registry = new ChildRegistry(join(WORK_DIR, "pids.json"));
  registry.reapStale();
  const profileDir = join(WORK_DIR, "profiles");
  rmSync(profileDir, { recursive: true, force: true });
  mkdirSync(profileDir, { recursive: true });
  const www = join(WORK_DIR, "www");
  writeBodies(www);
  const receiver = await startOtlpReceiver(false, (text) => process.stderr.write(`${text}\n`));
  const rows: Profiled[] = [];
  try {
    const backends = await startBackends(registry, 3, www);
    const ctx: StartContext = {
      registry,
      backendPorts: backends.map((b) => b.port),
      otlpEndpoint: receiver.endpoint,
      cpuProfileDir: profileDir,
    };
    const starters: [string, () => Promise<Target>][] = [
      ["traceway off", () => startTraceway(ctx, "traceway off", { metrics: false })],
      [
        "traceway metrics + 10% traces",
        () => startTraceway(ctx, "traceway metrics + 10% traces", { metrics: true, sampleRatio: 0.1 }),
      ],
      ["undici peer", () => startPeer(ctx, "undici peer", "undici-peer.ts")],
    ];
    for (const [name, start] of starters) {
      process.stderr.write(`profiling ${name}\n`);
      const target = await start();
      if (target.failure !== undefined || target.child === undefined)
        throw new Error(`${name}: ${target.failure ?? "no process"}`);
      const measured = await drive(target, path, seconds);
      await registry.stop(target.child); // the profile is written as the process exits
      const profiles = readProfiles(join(profileDir, profileFolder(name)));
      if (profiles.length === 0) throw new Error(`${name} wrote no CPU profile`);
      rows.push({ ...measured, byCategory: timeByCategory(profiles) });
    }
  } finally {
    await registry.stopAll();
    await receiver.close();
  }
  const markdown = render(rows, path, seconds);
  const machine = machineInfo();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = join(RESULTS_DIR, `${machine.date.slice(0, 10)}-${machine.shortCommit}-profile.md`);
  writeFileSync(file, markdown);
  process.stdout.write(`${markdown}\nwritten to ${file}\n`);
}

await main();
