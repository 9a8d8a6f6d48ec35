import type { StrategyName } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import { createConsistentHash } from "./consistent-hash.ts";
import { createEwma } from "./ewma.ts";
import { createIpHash } from "./ip-hash.ts";
import { createIpHashNginx } from "./ip-hash-nginx.ts";
import { createLeastConn } from "./least-conn.ts";
import { createP2c } from "./p2c.ts";
import { createRandom } from "./random.ts";
import { createRoundRobin } from "./round-robin.ts";
import { createSmoothWeightedRoundRobin } from "./smooth-weighted-round-robin.ts";
import type { Strategy, StrategyDeps, StrategyFactory } from "./strategy.ts";

const factories: Readonly<Record<StrategyName, StrategyFactory>> = {
  round_robin: createRoundRobin,
  weighted_round_robin: createSmoothWeightedRoundRobin,
  least_conn: createLeastConn,
  ip_hash: createIpHash,
  ip_hash_nginx: createIpHashNginx,
  consistent_hash: createConsistentHash,
  random: createRandom,
  p2c: createP2c,
  ewma: (deps) => createEwma(deps),
};

/** Every strategy name traceway knows, in documentation order. */
export const strategyNames: readonly StrategyName[] = Object.freeze(Object.keys(factories) as StrategyName[]);

/**
 * A fresh strategy instance (strategies keep per-upstream state: create one per upstream).
 * @throws TracewayError `UNKNOWN_STRATEGY` listing the known names, so a typo fails at start-up.
 */
export function createStrategy(name: StrategyName, deps: StrategyDeps): Strategy {
  if (!Object.hasOwn(factories, name)) {
    throw new TracewayError(
      "UNKNOWN_STRATEGY",
      `unknown strategy "${String(name)}"; known strategies: ${strategyNames.join(", ")}`,
    );
  }
  return factories[name](deps);
}
