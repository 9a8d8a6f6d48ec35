import type { Backend } from "../pool/backend.ts";
import type { EjectionTarget } from "./passive-health.ts";

/**
 * Takes a passive ejection that another process decided: in a multi-worker instance each worker
 * runs passive health on its own traffic and the primary, which holds the instance's pool state,
 * applies what they decide so it holds in every worker. Each worker already refused to eject the
 * last backend that could take traffic, but two workers may each eject a different one at the same
 * moment, each seeing the other still up; the primary sees both and keeps the rule for the
 * instance (as {@link PassiveHealth} does for one process). Returns whether the ejection was taken.
 */
export function takeSharedEjection(pool: EjectionTarget, backend: Backend, untilMs: number): boolean {
  if (untilMs <= backend.ejectedUntil) return true;
  for (const other of pool.backends) {
    if (other !== backend && pool.isUp(other)) {
      pool.eject(backend, untilMs);
      return true;
    }
  }
  return false;
}
