import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/**
 * `round_robin`: plain rotation over the candidates given, ignoring weights. The cursor is
 * reduced modulo the current length on every pick, so a candidate array that grows or shrinks
 * between calls never produces an out-of-range index. Like Envoy `ROUND_ROBIN` with equal weights.
 */
export class RoundRobin implements Strategy {
  #next = 0;

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    const n = candidates.length;
    if (n <= 1) return candidates[0];
    const i = this.#next < n ? this.#next : this.#next % n;
    this.#next = i + 1;
    return candidates[i];
  }
}

/** Factory for the registry. */
export function createRoundRobin(_deps?: StrategyDeps): Strategy {
  return new RoundRobin();
}
