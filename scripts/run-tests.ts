/**
 * `npm test`: starts the real services once (scripts/services.sh up), runs every unit and integration
 * test file with Node's test runner, prints a summary and exits with the runner's status.
 *
 * The tests under test/integration/services check the infrastructure the other tests run against
 * (Kafka, etcd, Prometheus, Jaeger started for real), not traceway: they run first, as their own
 * group, and are counted apart, so `tests: N passed` is traceway's own count. Then traceway's own files
 * run in a parallel pool, and last the files marked `// @solo: <why>` on their first line run one at a
 * time, alone on the machine (scripts/test-plan.ts says which and why; docs/services.md documents it).
 *
 * Teardown: under CI (`CI` set) the services this run started are stopped again, so a CI machine is left
 * clean. Locally they keep running, because other shells (or other people in the same checkout) may be
 * using them and the next run then starts in well under a second; stop them with
 * `bash scripts/services.sh down`. Services that were already up before the run are never stopped.
 *
 * Environment: CI (stop what this run started), TRACEWAY_KEEP_SERVICES=1 (never stop, even under CI),
 * TRACEWAY_TEST_CONCURRENCY (default 2 test files at once). Arguments starting with "-" go to
 * `node --test` (`npm test -- --test-name-pattern=etcd`); other arguments are files or folders to run
 * instead of everything (`npm test -- test/integration/services`).
 */
import { spawn, spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { constants } from "node:os";
import { join, relative } from "node:path";
import { RUNTIME_FLAGS } from "../src/run/runtime-flags.ts";
import {
  addCounts,
  type Counts,
  firstLine,
  formatCounts,
  INFRASTRUCTURE,
  NO_TESTS,
  parseCounts,
  planTests,
} from "./test-plan.ts";

const ROOT = join(import.meta.dirname, "..");
const SERVICES = join(ROOT, "scripts", "services.sh");
const TEST_ROOTS = ["test/unit", "test/integration", "bench/test"];
const TEST_STACK_DIR = join(ROOT, ".stack-test");
/**
 * Per-file bound so one hung test cannot stall CI for its whole time budget. The longest honest file is
 * the P0 alert test (test/integration/stack/p0-alert.test.ts): an earlier run's page must resolve
 * (up to about 2 minutes of Prometheus and Alertmanager timers), then four 15 s evaluations under the
 * line and about a minute from the burst to the page; 180 s cut it off at 175-180 s.
 */
const TEST_TIMEOUT_MS = 360_000;

function services(action: "up" | "down" | "status", names: string[]): { status: number; stdout: string } {
  const result = spawnSync("bash", [SERVICES, action, ...names], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: ["ignore", action === "status" ? "pipe" : "inherit", "inherit"],
  });
  return { status: result.status ?? 1, stdout: result.stdout ?? "" };
}

/** `npm run stack -- <action>` on the test stack's folder and ports (test/helpers/stack.ts); its status. */
function testStack(action: "down" | "status"): number {
  const offset = process.env["TRACEWAY_TEST_STACK_PORT_OFFSET"] ?? "11000";
  const args = [
    join(ROOT, "scripts", "stack", "main.ts"),
    action,
    "--port-offset",
    offset,
    "--dir",
    TEST_STACK_DIR,
  ];
  const result = spawnSync(process.execPath, args, {
    cwd: ROOT,
    stdio: ["ignore", action === "status" ? "ignore" : "inherit", "inherit"],
  });
  return result.status ?? 1;
}

/** Names whose status line says "down" now; only those are ours to stop afterwards. */
function downNow(names: string[]): string[] {
  const { stdout } = services("status", names);
  return names.filter((name) => !new RegExp(`^${name}\\s+up\\b`, "m").test(stdout));
}

/** Test files under the given folders (or the given files themselves), relative to the repository. */
function testFiles(paths: string[]): string[] {
  const files: string[] = [];
  for (const path of paths) {
    const abs = join(ROOT, path);
    if (!existsSync(abs)) continue;
    if (!statSync(abs).isDirectory()) {
      files.push(relative(ROOT, abs));
      continue;
    }
    for (const entry of readdirSync(abs, { recursive: true, withFileTypes: true })) {
      if (entry.isFile() && entry.name.endsWith(".test.ts")) {
        files.push(relative(ROOT, join(entry.parentPath, entry.name)));
      }
    }
  }
  return [...new Set(files)].sort();
}

function firstLineOf(file: string): string {
  return firstLine(readFileSync(join(ROOT, file), "utf8"));
}

/** Set by Ctrl-C or SIGTERM during a phase: the phases after it are not started. */
let interrupted = false;

/** One `node --test` run; resolves its exit status and its summary's counts. */
async function runTests(
  files: readonly string[],
  options: string[],
  concurrency: string,
): Promise<{ code: number; counts: Counts }> {
  const args = [
    "--test",
    "--test-reporter=spec",
    `--test-concurrency=${concurrency}`,
    `--test-timeout=${TEST_TIMEOUT_MS}`,
    ...options,
    ...files,
  ];
  // process.execPath keeps the children on the Node 22 that runs this script, and the flags the
  // traceway binary runs with reach every test process (node --test passes them on).
  const child = spawn(process.execPath, [...RUNTIME_FLAGS, ...args], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let tail = "";
  child.stdout.on("data", (chunk: Buffer) => {
    process.stdout.write(chunk);
    tail = (tail + chunk.toString("utf8")).slice(-4096);
  });
  const forward = (signal: NodeJS.Signals): void => {
    interrupted = true;
    child.kill(signal);
  };
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const code = await new Promise<number>((resolve) => {
    child.on("close", (status, signal) =>
      resolve(status ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  return { code, counts: parseCounts(tail) };
}

type Run = { code: number; counts: Counts } | undefined;

/**
 * The infrastructure group first (a broken service explains later failures), then traceway's own in
 * the parallel pool, then the solo files one at a time. `tests:` adds the pool's and the solo phase's
 * counts; the solo line repeats its share so a reader sees where a failure ran.
 */
async function runGroups(files: string[], options: string[]): Promise<number> {
  const plan = planTests(files, firstLineOf);
  const pool = process.env["TRACEWAY_TEST_CONCURRENCY"] ?? "2";
  const run = async (group: readonly string[], concurrency: string): Promise<Run> =>
    group.length > 0 && !interrupted ? await runTests(group, options, concurrency) : undefined;
  const infra = await run(plan.infrastructure, pool);
  const parallel = await run(plan.parallel, pool);
  if (plan.solo.length > 0 && !interrupted) {
    process.stdout.write(`\nsolo phase: ${plan.solo.length} file(s), one at a time\n`);
  }
  const solo = await run(plan.solo, "1");
  process.stdout.write("\n");
  if (parallel || solo) {
    const own = addCounts(parallel?.counts ?? NO_TESTS, solo?.counts ?? NO_TESTS);
    process.stdout.write(`tests: ${formatCounts(own)}\n`);
  }
  if (solo)
    process.stdout.write(`  of which solo (${plan.solo.length} files): ${formatCounts(solo.counts)}\n`);
  if (infra) process.stdout.write(`infrastructure (${INFRASTRUCTURE}): ${formatCounts(infra.counts)}\n`);
  if (interrupted) process.stdout.write("interrupted: the counts above are of what ran before\n");
  const failed = [infra, parallel, solo].map((r) => r?.code ?? 0).find((code) => code !== 0);
  return failed ?? (interrupted ? 128 + constants.signals.SIGINT : 0);
}

async function main(): Promise<number> {
  const names = ["kafka", "etcd", "prometheus"];
  if (existsSync(join(ROOT, "scripts", "jaeger.sh"))) names.push("jaeger");
  const ours = downNow(names);
  const testStackWasUp = existsSync(join(TEST_STACK_DIR, "stack.json")) && testStack("status") === 0;

  const args = process.argv.slice(2);
  const options = args.filter((a) => a.startsWith("-"));
  const paths = args.filter((a) => !a.startsWith("-"));
  const files = testFiles(paths.length > 0 ? paths : TEST_ROOTS);
  if (files.length === 0) {
    process.stderr.write(`no test files under ${(paths.length > 0 ? paths : TEST_ROOTS).join(", ")}\n`);
    return 1;
  }

  let code = 1;
  const setupStarted = Date.now();
  const up = services("up", names);
  if (up.status !== 0) {
    process.stderr.write(`global setup failed: scripts/services.sh up ${names.join(" ")} (see above)\n`);
  } else {
    process.stdout.write(`services up in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s\n`);
    code = await runGroups(files, options);
  }

  const stop = process.env["CI"] !== undefined && process.env["TRACEWAY_KEEP_SERVICES"] !== "1";
  // The example system the stack tests share (test/helpers/stack.ts) is started by the first of them.
  if (stop && !testStackWasUp && existsSync(join(TEST_STACK_DIR, "stack.json"))) testStack("down");
  if (stop && ours.length > 0) {
    services("down", ours.reverse());
  }
  return code;
}

process.exitCode = await main();
