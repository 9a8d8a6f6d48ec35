/**
 * `npm test`: starts the real services once (scripts/services.sh up), runs every unit and integration
 * test file with Node's test runner, prints a summary and exits with the runner's status.
 *
 * The tests under test/integration/services check the infrastructure the other tests run against
 * (Kafka, etcd, Prometheus, Jaeger started for real), not traceway: they run first, as their own
 * group, and are counted apart, so `tests: N passed` is traceway's own count.
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
import { existsSync, readdirSync, statSync } from "node:fs";
import { constants } from "node:os";
import { join, relative } from "node:path";
import { RUNTIME_FLAGS } from "../src/run/runtime-flags.ts";

const ROOT = join(import.meta.dirname, "..");
const SERVICES = join(ROOT, "scripts", "services.sh");
const TEST_ROOTS = ["test/unit", "test/integration", "bench/test"];
/** Tests of the services themselves, counted apart from traceway's. */
const INFRASTRUCTURE = "test/integration/services/";
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

/** Reads the spec reporter's closing "ℹ pass N" style lines. */
function summarise(output: string): string {
  const count = (label: string): number => last(output, label);
  const failed = count("fail") + count("cancelled");
  return `${count("pass")} passed, ${failed} failed, ${count("skipped")} skipped`;
}

function last(output: string, label: string): number {
  const matches = [...output.matchAll(new RegExp(`^ℹ ${label} (\\d+)\\s*$`, "gm"))];
  return Number(matches.at(-1)?.[1] ?? 0);
}

/** One `node --test` run; resolves its exit status and its summary line's counts. */
async function runTests(files: string[], options: string[]): Promise<{ code: number; summary: string }> {
  const concurrency = process.env["TRACEWAY_TEST_CONCURRENCY"] ?? "2";
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
  const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
  process.on("SIGINT", forward);
  process.on("SIGTERM", forward);
  const code = await new Promise<number>((resolve) => {
    child.on("close", (status, signal) =>
      resolve(status ?? 128 + (signal === null ? 0 : constants.signals[signal])),
    );
  });
  process.off("SIGINT", forward);
  process.off("SIGTERM", forward);
  return { code, summary: summarise(tail) };
}

/** The infrastructure group first (a broken service explains later failures), then traceway's own. */
async function runGroups(files: string[], options: string[]): Promise<number> {
  const infrastructure = files.filter((f) => f.startsWith(INFRASTRUCTURE));
  const own = files.filter((f) => !f.startsWith(INFRASTRUCTURE));
  const infra = infrastructure.length > 0 ? await runTests(infrastructure, options) : undefined;
  const project = own.length > 0 ? await runTests(own, options) : undefined;
  process.stdout.write("\n");
  if (project) process.stdout.write(`tests: ${project.summary}\n`);
  if (infra) process.stdout.write(`infrastructure (${INFRASTRUCTURE}): ${infra.summary}\n`);
  return [infra?.code ?? 0, project?.code ?? 0].find((code) => code !== 0) ?? 0;
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
