import type { Random } from "../shared/clock.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";
import { WeightedSampler } from "./weighted-sampler.ts";

/**
 * `random`: weighted random over `effectiveWeight` (cumulative sums + binary search). Stateless
 * between picks, so many balancer instances never synchronise; shares converge to the weights.
 * Like nginx `random` / Envoy `RANDOM`.
 */
export class WeightedRandom implements Strategy {
  readonly #random: Random;
  readonly #sampler = new WeightedSampler();

  constructor(random: Random) {
    this.#random = random;
  }

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    if (candidates.length <= 1) return candidates[0];
    this.#sampler.sync(candidates);
    return candidates[this.#sampler.sample(this.#random())];
  }
}

/** Factory for the registry. */
export function createRandom(deps: StrategyDeps): Strategy {
  return new WeightedRandom(deps.random);
}
