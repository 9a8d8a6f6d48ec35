import type { Random } from "../shared/clock.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";
import { WeightedSampler } from "./weighted-sampler.ts";

/**
 * `p2c`: power of two choices. Two distinct candidates are drawn by weight (`effectiveWeight`,
 * so weights count even when nothing is in flight), and the one with fewer requests in flight
 * relative to its weight wins; on a tie the first drawn wins. O(log n), and unlike full
 * least-connections it does not herd every balancer onto the same momentarily idle backend.
 * Like Envoy `LEAST_REQUEST` (choice_count 2) and nginx `random two least_conn`.
 */
export class PowerOfTwoChoices implements Strategy {
  readonly #random: Random;
  readonly #sampler = new WeightedSampler();

  constructor(random: Random) {
    this.#random = random;
  }

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    if (candidates.length <= 1) return candidates[0];
    this.#sampler.sync(candidates);
    const i = this.#sampler.sample(this.#random());
    const j = this.#sampler.sampleOther(i, this.#random());
    const a = candidates[i]!;
    const b = candidates[j]!;
    return b.inFlight * a.effectiveWeight < a.inFlight * b.effectiveWeight ? b : a;
  }
}

/** Factory for the registry. */
export function createP2c(deps: StrategyDeps): Strategy {
  return new PowerOfTwoChoices(deps.random);
}
