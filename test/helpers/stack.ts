/**
 * The example system (`npm run stack`, docs/stack.md) for the tests that need all of it: one stack per
 * test run, shared by every test file. The first file to call {@link ensureStack} brings it up (under a
 * file lock, so parallel files wait instead of starting a second one); later files find it running and
 * `up` returns in about two seconds. It runs in `.stack-test/` on the default ports moved by
 * {@link TEST_PORT_OFFSET}, clear of the shared test services (19092, 12379, 19090, 14318, 16687) and of
 * a user's own stack. `npm test` stops it again under CI (scripts/run-tests.ts).
 */
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { resolvePorts } from "../../scripts/stack/ports.ts";
import type { StackPorts } from "../../scripts/stack/ports.ts";
import { REPO_ROOT } from "./services.ts";

const run = promisify(execFile);

/** Every stack port is its default plus this: 8080 → 19080, 9090 → 20090, 16686 → 27686. */
export const TEST_PORT_OFFSET = Number(process.env["TRACEWAY_TEST_STACK_PORT_OFFSET"] ?? "11000");
/** The test stack's folder (state, logs, data), beside the user's `.stack/`. */
export const TEST_STACK_DIR = join(REPO_ROOT, ".stack-test");
const UP_TIMEOUT_MS = 1_800_000;

/** Where each part of the running test stack answers, and where it logs. */
export interface Stack {
  readonly ports: StackPorts;
  readonly traceway: string;
  readonly tracewayMetrics: string;
  readonly prometheus: string;
  readonly alertmanager: string;
  readonly jaegerQuery: string;
  readonly alertWebhook: string;
  /** gin-1, gin-2, gin-3 → http://127.0.0.1:port */
  readonly gin: Readonly<Record<string, string>>;
  readonly etcd: string;
  readonly kafka: string;
  readonly dir: string;
  /** The JSON log of a stack process (`traceway`, `gin-2`, `kafka-worker-1`, ...). */
  logFile(name: string): string;
}

const ports = resolvePorts(TEST_PORT_OFFSET, {});
const local = (port: number): string => `http://127.0.0.1:${port}`;

export const TEST_STACK: Stack = {
  ports,
  traceway: local(ports.traceway),
  tracewayMetrics: local(ports.tracewayMetrics),
  prometheus: local(ports.prometheus),
  alertmanager: local(ports.alertmanager),
  jaegerQuery: local(ports.jaegerUi),
  alertWebhook: local(ports.alertWebhook),
  gin: { "gin-1": local(ports.gin1), "gin-2": local(ports.gin2), "gin-3": local(ports.gin3) },
  etcd: local(ports.etcd),
  kafka: `127.0.0.1:${ports.kafka}`,
  dir: TEST_STACK_DIR,
  logFile: (name) => join(TEST_STACK_DIR, "logs", `${name}.log`),
};

/** `npm run stack -- <action>` for the test stack, serialised by a lock beside its folder. */
export async function stackCommand(
  action: "up" | "down" | "status",
  env: Record<string, string> = {},
): Promise<string> {
  const node = join(REPO_ROOT, "node_modules", ".bin", "node");
  const args = [join(REPO_ROOT, "scripts", "stack", "main.ts"), action];
  args.push("--port-offset", String(TEST_PORT_OFFSET), "--dir", TEST_STACK_DIR);
  try {
    const { stdout } = await run("flock", ["-w", "1800", `${TEST_STACK_DIR}.lock`, node, ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      timeout: UP_TIMEOUT_MS,
      maxBuffer: 8 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`npm run stack -- ${action} failed: ${(error as Error).message}\n${stdout}\n${stderr}`);
  }
}

/** The test stack in `npm run stack`'s own variables, for running documented commands as they are. */
export const TEST_STACK_ENV: Readonly<Record<string, string>> = {
  TRACEWAY_STACK_PORT_OFFSET: String(TEST_PORT_OFFSET),
  TRACEWAY_STACK_DIR: TEST_STACK_DIR,
};

/** One alert of a notification, as the stack's alert webhook lists it (`GET /received`). */
export interface ReceivedAlert {
  readonly receivedAt: string;
  readonly receiver: string;
  readonly status: string;
  readonly alertname: string;
  readonly severity: string;
  readonly labels: Readonly<Record<string, string>>;
}

/**
 * What Alertmanager delivered to the stack's own webhook, oldest first. The tests read notifications
 * there rather than from a receiver of their own: a receiver that lives only as long as a test misses
 * the "resolved" notification, and Alertmanager's notification log then holds the next page of the
 * same alert back for its repeat_interval.
 */
export async function receivedAlerts(receiver?: "on-call" | "ticket-queue"): Promise<ReceivedAlert[]> {
  const query = receiver === undefined ? "" : `?receiver=${receiver}`;
  const response = await fetch(`${TEST_STACK.alertWebhook}/received${query}`);
  if (!response.ok) throw new Error(`alert webhook /received: HTTP ${response.status}`);
  return (await response.json()) as ReceivedAlert[];
}

let pending: Promise<Stack> | undefined;

/** Brings the test stack up once per process (fast when another test file already did). */
export function ensureStack(): Promise<Stack> {
  pending ??= stackCommand("up").then(() => TEST_STACK);
  pending.catch(() => (pending = undefined));
  return pending;
}

/** Parsed JSON lines of a stack log (lines that are not JSON are skipped: a crash trace, say). */
export async function readLogLines(name: string): Promise<Record<string, unknown>[]> {
  const text = await readFile(TEST_STACK.logFile(name), "utf8");
  const lines: Record<string, unknown>[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      lines.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      // a line cut by a concurrent write; the next poll reads it whole
    }
  }
  return lines;
}

/** How long a stack test took, for `t.diagnostic` (the suite's heaviest; the CI budget is watched here). */
export function durationLine(what: string, startedMs: number): string {
  return `stack test "${what}" took ${((Date.now() - startedMs) / 1000).toFixed(1)} s`;
}
