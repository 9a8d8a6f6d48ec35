import { HashRing } from "./hash-ring.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { PickRequest, Strategy, StrategyDeps } from "./strategy.ts";

/**
 * `ip_hash`: client affinity. The proxy passes the client IP as `request.hashKey`; the key is
 * placed on a consistent-hash ring, so unlike nginx's `ip_hash` (modulo over the first three
 * octets) a backend leaving only moves its own clients. Equivalent to nginx
 * `hash $remote_addr consistent` / Envoy `RING_HASH` with a `connection_properties.source_ip` policy.
 */
export class IpHash implements Strategy {
  readonly #ring = new HashRing();

  pick<C extends Candidate>(candidates: readonly C[], request: PickRequest): C | undefined {
    if (candidates.length <= 1) return candidates[0];
    return candidates[this.#ring.lookup(candidates, request.hashKey)];
  }
}

/** Factory for the registry. */
export function createIpHash(_deps?: StrategyDeps): Strategy {
  return new IpHash();
}
