import { AlignedState } from "./aligned-state.ts";
import type { Candidate, PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/**
 * `weighted_round_robin`: nginx's smooth weighted round robin over `effectiveWeight`. Each pick
 * adds every weight to its candidate's `current`, takes the largest (first on ties) and subtracts
 * the total from it. Weights 5,1,1 give `a a b a c a a` per cycle: the heavy backend's picks are
 * interleaved instead of bunched, and over any cycle the shares are exact.
 *
 * `current` survives changes of the candidate array by id (a backend that flaps keeps its place
 * in the cycle); ids no longer offered are dropped when the array changes. O(n) per pick, like nginx.
 */
export class SmoothWeightedRoundRobin implements Strategy {
  readonly #state = new AlignedState();

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    const current = this.#state.align(candidates);
    let best = 0;
    let bestCurrent = -Infinity;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const w = candidates[i]!.effectiveWeight;
      const c = current[i]! + w;
      current[i] = c;
      total += w;
      if (c > bestCurrent) {
        best = i;
        bestCurrent = c;
      }
    }
    current[best] = bestCurrent - total;
    return candidates[best];
  }
}

/** Factory for the registry. */
export function createSmoothWeightedRoundRobin(_deps?: StrategyDeps): Strategy {
  return new SmoothWeightedRoundRobin();
}
