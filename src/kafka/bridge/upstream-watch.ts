import type { UpstreamPool } from "../../pool/upstream-pool.ts";

/**
 * How often a paused bridge looks at its upstream's candidates besides the pool's own events: a
 * passive ejection ends by time, and the pool notices only when someone asks for candidates.
 */
export const UPSTREAM_PROBE_MS = 1000;

/**
 * Resolves once the upstream has a candidate backend: at once if it has one, else on the pool's
 * next "up" or membership change, or at a probe. No request is made, so a long outage costs a
 * timer a second. Rejects when `signal` aborts (the bridge stops).
 */
export function waitForCandidates(
  pool: UpstreamPool | undefined,
  signal: AbortSignal,
  probeMs = UPSTREAM_PROBE_MS,
): Promise<void> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  if (pool === undefined || pool.candidates().length > 0) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (): void => {
      clearInterval(probe);
      unsubscribe();
      signal.removeEventListener("abort", onAbort);
    };
    const check = (): void => {
      if (pool.candidates().length === 0) return;
      done();
      resolve();
    };
    const onAbort = (): void => {
      done();
      reject(signal.reason as Error);
    };
    const probe = setInterval(check, probeMs);
    const unsubscribe = pool.onChange((change) => {
      if (change.type !== "status" || change.up) check();
    });
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
