import type { BackendSpec } from "../config/types.ts";
import type { Clock } from "../shared/clock.ts";
import type { Backend, BackendOverride } from "./backend.ts";
import type { UpstreamPool } from "./upstream-pool.ts";

/** What one process decided about a backend and every other process of the instance must follow. */
export interface BackendStatus {
  /** The backend's origin ({@link Backend.id}). */
  readonly id: string;
  /** The active checker's verdict. */
  readonly activeUp: boolean;
  /**
   * Time left of a passive ejection, 0 when none. Relative, not a deadline: every process has its
   * own monotonic clock, so a deadline would mean a different moment in each.
   */
  readonly ejectedForMs: number;
  readonly override: BackendOverride | undefined;
}

/** A pool as another process needs it: its members as declared, and their shared status. */
export interface PoolState {
  readonly backends: readonly BackendSpec[];
  readonly status: readonly BackendStatus[];
}

/**
 * Ejections relayed between processes land a little early or late (the time a message takes);
 * differences below this are not worth a candidate recomputation in every worker.
 */
const EJECTION_SLACK_MS = 5;

/** The pool's members and status now, to be applied elsewhere with {@link applyPoolStatus}. */
export function poolStateOf(pool: UpstreamPool, clock: Clock): PoolState {
  const now = clock.now();
  const backends: BackendSpec[] = [];
  const status: BackendStatus[] = [];
  for (const b of pool.backends) {
    backends.push({
      url: b.url.href,
      weight: b.weight,
      backup: b.backup,
      source: b.source,
      metadata: b.metadata,
    });
    status.push({
      id: b.id,
      activeUp: b.activeUp,
      ejectedForMs: Math.max(0, b.ejectedUntil - now),
      override: b.override,
    });
  }
  return { backends, status };
}

/**
 * Makes the status of `pool`'s members what another process says it is: the active verdict, the
 * ejection (set, moved or lifted) and the operator override. Members the pool does not have (yet)
 * are skipped; only what differs is changed, so applying the same state twice changes nothing.
 */
export function applyPoolStatus(pool: UpstreamPool, status: readonly BackendStatus[], clock: Clock): void {
  const byId = new Map<string, Backend>();
  for (const b of pool.backends) byId.set(b.id, b);
  const now = clock.now();
  for (const s of status) {
    const backend = byId.get(s.id);
    if (!backend) continue;
    if (backend.activeUp !== s.activeUp) pool.setActiveStatus(backend, s.activeUp);
    const ejected = backend.ejectedUntil > now;
    if (s.ejectedForMs > 0) {
      const until = now + s.ejectedForMs;
      if (!ejected || Math.abs(until - backend.ejectedUntil) > EJECTION_SLACK_MS) pool.eject(backend, until);
    } else if (ejected) {
      pool.eject(backend, 0);
    }
    if (!sameOverride(backend.override, s.override)) pool.setOverride(backend, s.override);
  }
}

function sameOverride(a: BackendOverride | undefined, b: BackendOverride | undefined): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined) return false;
  return a.weight === b.weight && a.draining === b.draining && a.enabled === b.enabled;
}
