import { AlignedState } from "./aligned-state.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/**
 * `weighted_round_robin`: nginx's smooth weighted round robin over `effectiveWeight`. Each pick
 * adds every weight to its candidate's `current`, takes the largest (first on ties) and subtracts
 * the total from it. Weights 5,1,1 give `a a b a c a a` per cycle: the heavy backend's picks are
 * interleaved instead of bunched, and over any cycle the shares are exact.
 *
 * `current` survives changes of the candidate array by id (a backend that flaps keeps its place
 * in the cycle); ids no longer offered are dropped when the array changes. O(n) per pick, like nginx,
 * over two typed arrays (weights are snapshotted per candidate array).
 */
export class SmoothWeightedRoundRobin implements Strategy {
  readonly #state = new AlignedState();

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    const state = this.#state;
    const current = state.align(candidates);
    const weights = state.weights;
    let best = 0;
    let bestCurrent = -Infinity;
    for (let i = 0; i < n; i++) {
      const c = current[i]! + weights[i]!;
      current[i] = c;
      if (c > bestCurrent) {
        best = i;
        bestCurrent = c;
      }
    }
    current[best] = bestCurrent - state.totalWeight;
    return candidates[best];
  }
}

/** Factory for the registry. */
export function createSmoothWeightedRoundRobin(_deps?: StrategyDeps): Strategy {
  return new SmoothWeightedRoundRobin();
}
