import { setTimeout as delay } from "node:timers/promises";
import type { ChildRegistry, ManagedChild } from "./children.ts";
import { NODE, ROOT } from "./layout.ts";
import { treeRssKiB } from "./proc.ts";
import type { Progress } from "./progress.ts";
import { deadReason } from "./target.ts";
import type { Target } from "./target.ts";

/** Opening 10k connections on loopback takes a few seconds; this bounds a stuck target. */
const OPEN_TIMEOUT_MS = 90_000;
/** Lets freshly allocated buffers settle and a GC happen before RSS is read. */
const SETTLE_MS = 1500;
const COUNT_TIMEOUT_MS = 5000;

export interface IdleRssRow {
  readonly target: string;
  readonly connections: number;
  /** Connections still open when RSS was read (a server may close idle ones early). */
  readonly openAtMeasure?: number;
  readonly rssBeforeMiB?: number;
  readonly rssAfterMiB?: number;
  /** (after − before) / open connections. */
  readonly kibPerConnection?: number;
  readonly failed?: number;
  readonly failure?: string;
}

/** Next JSON line the helper prints after `fromLength` chars of its stdout, or undefined on deadline. */
async function nextJsonLine(
  child: ManagedChild,
  fromLength: number,
  timeoutMs: number,
): Promise<Record<string, unknown> | undefined> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && child.exitReason() === undefined) {
    const line = child
      .stdoutTail()
      .slice(fromLength)
      .split("\n")
      .find((l) => l.startsWith("{"));
    if (line !== undefined && child.stdoutTail().slice(fromLength).includes("\n")) {
      return JSON.parse(line) as Record<string, unknown>;
    }
    await delay(100);
  }
  return undefined;
}

/**
 * RSS of a target (process tree) before and while it holds `count` idle keep-alive client
 * connections, each of which made one request first so any per-connection parser state exists.
 */
export async function measureIdleRss(
  registry: ChildRegistry,
  target: Target,
  count: number,
  progress: Progress,
): Promise<IdleRssRow> {
  const dead = deadReason(target);
  if (dead !== undefined || target.child === undefined) {
    return { target: target.name, connections: count, failure: dead ?? "not running" };
  }
  const pid = target.child.pid;
  const before = treeRssKiB(pid);
  progress.update(`idle RSS: opening ${count} connections to ${target.name}`);
  const helper = registry.spawn(
    "idle-clients",
    NODE,
    ["bench/lib/idle-clients.ts", "--port", String(target.port), "--count", String(count)],
    { cwd: ROOT, stdin: true },
  );
  try {
    const done = await nextJsonLine(helper, 0, OPEN_TIMEOUT_MS);
    if (done === undefined) {
      return { target: target.name, connections: count, failure: "idle clients did not finish opening" };
    }
    await delay(SETTLE_MS);
    const after = treeRssKiB(pid);
    const mark = helper.stdoutTail().length;
    helper.process.stdin?.write("count\n");
    const counted = await nextJsonLine(helper, mark, COUNT_TIMEOUT_MS);
    const openAtMeasure = typeof counted?.open === "number" ? counted.open : undefined;
    const failed = typeof done.failed === "number" ? done.failed : 0;
    if (before === undefined || after === undefined) {
      return {
        target: target.name,
        connections: count,
        failure: `target exited: ${deadReason(target) ?? "?"}`,
      };
    }
    const row: IdleRssRow = {
      target: target.name,
      connections: count,
      rssBeforeMiB: before / 1024,
      rssAfterMiB: after / 1024,
      failed,
      ...(openAtMeasure === undefined
        ? {}
        : {
            openAtMeasure,
            kibPerConnection: openAtMeasure > 0 ? (after - before) / openAtMeasure : Number.NaN,
          }),
    };
    return failed > 0 && typeof done.firstError === "string"
      ? { ...row, failure: `${failed} failed (${done.firstError})` }
      : row;
  } finally {
    helper.process.stdin?.end();
    await Promise.race([helper.exited, delay(COUNT_TIMEOUT_MS)]);
    await registry.stop(helper);
    // The target must not carry 10k half-closed sockets into the next measurement.
    await delay(500);
  }
}
