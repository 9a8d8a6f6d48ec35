import { AlignedState } from "./aligned-state.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/**
 * `least_conn`: weighted least connections, as nginx's `least_conn`. The candidate with the
 * smallest `inFlight / effectiveWeight` wins; ratios are compared by cross-multiplication
 * (`a.inFlight × b.weight < b.inFlight × a.weight`) so there is no division and no rounding.
 *
 * Ties are common (every idle backend has 0 in flight). Like nginx, the tied candidates share
 * the picks by smooth weighted round robin among themselves, so idle equal backends rotate
 * a b c a b c and idle weighted ones get their weighted share.
 */
export class LeastConn implements Strategy {
  readonly #state = new AlignedState();
  /** Indices of the candidates tied for least loaded; reused across picks, grown on demand. */
  #ties = new Uint32Array(16);

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    if (this.#ties.length < n) this.#ties = new Uint32Array(n);
    const ties = this.#ties;

    let bestConns = candidates[0]!.inFlight;
    let bestWeight = candidates[0]!.effectiveWeight;
    ties[0] = 0;
    let tieCount = 1;
    for (let i = 1; i < n; i++) {
      const c = candidates[i]!;
      const lhs = c.inFlight * bestWeight;
      const rhs = bestConns * c.effectiveWeight;
      if (lhs < rhs) {
        bestConns = c.inFlight;
        bestWeight = c.effectiveWeight;
        ties[0] = i;
        tieCount = 1;
      } else if (lhs === rhs) {
        ties[tieCount++] = i;
      }
    }
    if (tieCount === 1) return candidates[ties[0]];

    // Smooth WRR restricted to the tied candidates (nginx ngx_http_upstream_get_least_conn_peer).
    const current = this.#state.align(candidates);
    let best = 0;
    let bestCurrent = -Infinity;
    let total = 0;
    for (let t = 0; t < tieCount; t++) {
      const i = ties[t]!;
      const w = candidates[i]!.effectiveWeight;
      const cur = current[i]! + w;
      current[i] = cur;
      total += w;
      if (cur > bestCurrent) {
        best = i;
        bestCurrent = cur;
      }
    }
    current[best] = bestCurrent - total;
    return candidates[best];
  }
}

/** Factory for the registry. */
export function createLeastConn(_deps?: StrategyDeps): Strategy {
  return new LeastConn();
}
