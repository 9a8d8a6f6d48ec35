import { HashRing } from "./hash-ring.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/**
 * `consistent_hash`: the same `request.hashKey` goes to the same backend while it is offered;
 * removing one of N backends moves only its own ~1/N of the keys (ketama ring, see `HashRing`).
 * Like nginx `hash $key consistent` / Envoy `RING_HASH`.
 */
export class ConsistentHash implements Strategy {
  readonly #ring = new HashRing();

  pick<C extends Candidate>(candidates: readonly C[], request: PickRequest): C | undefined {
    if (candidates.length <= 1) return candidates[0];
    return candidates[this.#ring.lookup(candidates, request.hashKey)];
  }
}

/** Factory for the registry; hashing needs neither randomness nor time. */
export function createConsistentHash(_deps?: StrategyDeps): Strategy {
  return new ConsistentHash();
}
