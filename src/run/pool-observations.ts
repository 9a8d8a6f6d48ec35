import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { RunningBalancer } from "../server/balancer.ts";
import type { PoolFacets } from "../telemetry/pool-metrics.ts";
import type { Telemetry } from "../telemetry/setup.ts";

/**
 * Keeps the telemetry's pool and queue gauges in step with the balancer's upstreams: after every
 * reload, pools that left (an upstream removed) stop being observed, so their series leave the
 * scrape, and new pools (an upstream added, or removed and added again) start. Queues are new
 * objects on every reload and are observed afresh. Canary sides' pools are observed like the
 * stable ones (their gauges carry the canary backends), and leave with their canary.
 */
export class PoolObservations {
  readonly #telemetry: Pick<Telemetry, "observePool" | "observeQueue">;
  readonly #balancer: Pick<RunningBalancer, "pools" | "canaryPools" | "queues">;
  readonly #pools = new Map<UpstreamPool, () => void>();
  readonly #facets: PoolFacets;
  #queues: (() => void)[] = [];

  constructor(
    telemetry: Pick<Telemetry, "observePool" | "observeQueue">,
    balancer: Pick<RunningBalancer, "pools" | "canaryPools" | "queues">,
    /** Which pool series this process reports (a multi-worker instance's worker: `load`). */
    facets: PoolFacets = "all",
  ) {
    this.#telemetry = telemetry;
    this.#balancer = balancer;
    this.#facets = facets;
  }

  /** Observe exactly the current pools and queues. */
  sync(): void {
    const current = new Set([...this.#balancer.pools.values(), ...this.#balancer.canaryPools.values()]);
    for (const [pool, off] of this.#pools) {
      if (current.has(pool)) continue;
      off();
      this.#pools.delete(pool);
    }
    for (const pool of current) {
      if (!this.#pools.has(pool)) this.#pools.set(pool, this.#telemetry.observePool(pool, this.#facets));
    }
    for (const off of this.#queues) off();
    this.#queues = [...this.#balancer.queues()].map(([name, queue]) =>
      this.#telemetry.observeQueue(name, queue),
    );
  }

  /** Stop observing everything (shutdown). */
  clear(): void {
    for (const off of this.#pools.values()) off();
    for (const off of this.#queues) off();
    this.#pools.clear();
    this.#queues = [];
  }
}
