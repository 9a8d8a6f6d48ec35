/**
 * Messages between the main thread (generator.ts) and the load workers (load-worker.ts). Times
 * that cross threads are epoch milliseconds with sub-millisecond precision
 * (`performance.timeOrigin + performance.now()`), because each thread's performance.now() has its
 * own origin.
 */
import type { ConnectTarget } from "./http1-connection.ts";
import type { LoadMode, StatusRange } from "./types.ts";

export interface WorkerInit {
  readonly index: number;
  readonly target: ConnectTarget;
  readonly request: Uint8Array;
  readonly noBody: boolean;
  readonly timeoutMs: number;
  readonly expectStatus: readonly StatusRange[];
  /** How often a worker sends a progress snapshot during a step. */
  readonly snapshotMs: number;
}

export interface StepCommand {
  readonly type: "step";
  readonly id: number;
  readonly mode: LoadMode;
  /** This worker's share: connections (closed) or requests/s (open). */
  readonly level: number;
  /** Open model: this worker's offset within the combined schedule, as a fraction of its interval. */
  readonly phase: number;
  /** Open model: this worker's share of --connections. */
  readonly maxConnections: number;
  readonly startAt: number;
  readonly endAt: number;
}

export type ToWorker =
  StepCommand | { readonly type: "stop"; readonly id: number } | { readonly type: "close" };

/** Counts a worker keeps per step; summed over workers by the main thread. */
export interface StepCounts {
  /** Requests whose (intended) start lies in the window. */
  started: number;
  /** Of those, written to a socket inside the window. */
  sentInWindow: number;
  /** Responses that arrived inside the window. */
  completedInWindow: number;
  /** Responses and errors, inside the window or during the drain after it. */
  finished: number;
  errors: number;
  /** Open model: requests that had to wait for a free connection. */
  queued: number;
}

export interface Snapshot {
  readonly type: "snapshot";
  readonly id: number;
  readonly counts: StepCounts;
  /** Latencies recorded since the previous snapshot (compressed base64 HDR). */
  readonly histogram: string;
}

export interface StepDone {
  readonly type: "done";
  readonly id: number;
  readonly counts: StepCounts;
  readonly statuses: ReadonlyArray<readonly [number, number]>;
  readonly errorKinds: ReadonlyArray<readonly [string, number]>;
  readonly histogram: string;
  /** This thread's CPU time (user + system) during the step, and the wall time it covers. */
  readonly cpuMs: number;
  readonly wallMs: number;
}

export type FromWorker =
  { readonly type: "ready" } | Snapshot | StepDone | { readonly type: "fatal"; readonly message: string };

export function emptyCounts(): StepCounts {
  return { started: 0, sentInWindow: 0, completedInWindow: 0, finished: 0, errors: 0, queued: 0 };
}

export function addCounts(into: StepCounts, from: StepCounts): void {
  into.started += from.started;
  into.sentInWindow += from.sentInWindow;
  into.completedInWindow += from.completedInWindow;
  into.finished += from.finished;
  into.errors += from.errors;
  into.queued += from.queued;
}
