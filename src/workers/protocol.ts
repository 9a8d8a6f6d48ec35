import type { ConfigSource } from "../config/load.ts";
import type { LatencySummary } from "../pool/latency-summary.ts";
import type { PoolState } from "../pool/pool-state.ts";
import type { ProcessMetrics } from "../telemetry/metrics-merge.ts";

/**
 * The messages between a multi-worker instance's primary and its workers (docs/workers.md), over
 * the cluster IPC channel with `advanced` serialization (structured clone). Pool states are whole
 * (members and status of one upstream), never deltas: a worker that missed one, or a replacement
 * that starts late, is right again with the next.
 */

/** Every upstream's pool state, by upstream name. */
export type PoolStates = readonly (readonly [upstream: string, state: PoolState])[];

/** A {@link LatencySummary}'s data (what structured clone keeps of one). */
export type SummaryData = Pick<
  LatencySummary,
  "requests" | "errors" | "sumMs" | "minMs" | "maxMs" | "buckets"
>;

/**
 * What one worker measured of one backend: in flight now, and its admin API windows, read on the
 * worker's own clock (each process's monotonic clock has its own origin, so a primary could not
 * read a worker's per-second ring on its clock).
 */
export interface BackendLoad {
  /** The backend's origin. */
  readonly id: string;
  readonly inFlight: number;
  readonly recent: SummaryData;
  readonly lastMinute: SummaryData;
}

/** Every upstream's backend loads in one worker, by upstream name. */
export type UpstreamLoads = readonly (readonly [upstream: string, backends: readonly BackendLoad[]])[];

export interface WorkerInit {
  readonly type: "init";
  /** The config text the primary validated; the worker parses the same text. */
  readonly config: ConfigSource;
  /** 1..N: which worker this is; a replacement takes the slot of the one it replaces. */
  readonly slot: number;
  /** `service.instance.id` of the whole instance, on every worker's spans and metrics. */
  readonly instanceId: string;
  /** The port to bind: the configured one, or the one the first worker got for port 0. */
  readonly port: number;
  /** Bind with SO_REUSEPORT (else the cluster primary shares its handle, round-robin). */
  readonly reusePort: boolean;
  readonly pools: PoolStates;
}

export type ToWorker =
  | WorkerInit
  /** With an `id`, the worker answers `applied` once these states are in force. */
  | { readonly type: "pools"; readonly pools: PoolStates; readonly id?: number }
  | { readonly type: "reload"; readonly id: number; readonly config: ConfigSource }
  | { readonly type: "collect"; readonly id: number }
  /** For the admin API the primary serves: this worker's traffic per backend. */
  | { readonly type: "load"; readonly id: number }
  | { readonly type: "shutdown" };

/** Why a worker could not start; `syscall: "listen"` errors are shown as the CLI shows them. */
export interface StartFailure {
  readonly message: string;
  readonly code?: string;
  readonly syscall?: string;
  readonly address?: string;
  readonly port?: number;
}

export type FromWorker =
  | { readonly type: "ready" }
  | { readonly type: "listening"; readonly port: number; readonly url: string }
  | { readonly type: "failed"; readonly failure: StartFailure }
  /** Passive health in this worker ejected a backend (already applied here). */
  | {
      readonly type: "ejected";
      readonly upstream: string;
      readonly backend: string;
      readonly forMs: number;
      readonly reason?: string;
    }
  | { readonly type: "metrics"; readonly id: number; readonly metrics: ProcessMetrics | undefined }
  | { readonly type: "reloaded"; readonly id: number; readonly error?: string }
  | { readonly type: "loads"; readonly id: number; readonly upstreams: UpstreamLoads }
  | { readonly type: "applied"; readonly id: number };

const FROM_WORKER_TYPES = new Set([
  "ready",
  "listening",
  "failed",
  "ejected",
  "metrics",
  "reloaded",
  "loads",
]);
const TO_WORKER_TYPES = new Set(["init", "pools", "reload", "collect", "load", "shutdown"]);

/** True for a message of this protocol from a worker (anything else on the channel is not ours). */
export function isFromWorker(message: unknown): message is FromWorker {
  return hasType(message, FROM_WORKER_TYPES);
}

export function isToWorker(message: unknown): message is ToWorker {
  return hasType(message, TO_WORKER_TYPES);
}

function hasType(message: unknown, types: ReadonlySet<string>): boolean {
  if (typeof message !== "object" || message === null) return false;
  const type = (message as { type?: unknown }).type;
  return typeof type === "string" && types.has(type);
}
