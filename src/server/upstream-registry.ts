import type { UpstreamConfig } from "../config/types.ts";
import { UpstreamPool } from "../pool/upstream-pool.ts";
import { ConnectionQueue } from "../proxy/connection-queue.ts";
import { RetryPolicy } from "../proxy/retry-policy.ts";
import type { Upstream } from "../proxy/upstream.ts";
import type { Clock, Random } from "../shared/clock.ts";
import { createStrategy } from "../strategies/registry.ts";
import { createHealth, type UpstreamHealth } from "../health/upstream-health.ts";
import type { HealthEvents } from "../health/upstream-health.ts";

interface Entry {
  upstream: Upstream;
  health: UpstreamHealth;
}

/**
 * Owns the live upstreams across reloads. A reload builds new `Upstream` views (new settings,
 * strategy, retry policy) but keeps each pool, so the health of unchanged backends survives;
 * requests already running keep the view they started with.
 */
export class UpstreamRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #deps: { clock: Clock; random: Random; events: HealthEvents };

  constructor(deps: { clock: Clock; random: Random; events: HealthEvents }) {
    this.#deps = deps;
  }

  get pools(): ReadonlyMap<string, UpstreamPool> {
    const pools = new Map<string, UpstreamPool>();
    for (const [name, e] of this.#entries) pools.set(name, e.upstream.pool);
    return pools;
  }

  /** Apply a config; returns the upstream views new requests should use. */
  apply(configs: ReadonlyMap<string, UpstreamConfig>): ReadonlyMap<string, Upstream> {
    const { clock, random, events } = this.#deps;
    const views = new Map<string, Upstream>();
    for (const [name, config] of configs) {
      const previous = this.#entries.get(name);
      const poolOptions = { clock, slowStartMs: config.slowStartMs, panicMode: config.panicMode };
      let pool: UpstreamPool;
      if (previous) {
        pool = previous.upstream.pool;
        pool.configure(poolOptions);
        pool.reconcile(config.backends);
        previous.health.stop();
      } else {
        pool = new UpstreamPool(name, config.backends, poolOptions);
      }
      const health = createHealth(config, pool, { clock, random, events });
      const sameStrategy = previous?.upstream.config.strategy === config.strategy;
      const upstream: Upstream = {
        name,
        config,
        pool,
        // Keep learned strategy state (EWMA latencies, WRR position) when the strategy is unchanged.
        strategy:
          sameStrategy && previous
            ? previous.upstream.strategy
            : createStrategy(config.strategy, { clock, random }),
        passive: health.passive,
        retry: new RetryPolicy(config.retry),
        queue:
          config.maxConnsPerBackend > 0
            ? new ConnectionQueue(config.queue.size, config.queue.timeoutMs)
            : undefined,
      };
      health.start();
      this.#entries.set(name, { upstream, health });
      views.set(name, upstream);
    }
    for (const [name, entry] of this.#entries) {
      if (!configs.has(name)) {
        entry.health.stop();
        this.#entries.delete(name);
      }
    }
    return views;
  }

  /** Origins of every configured backend, for agent clean-up. */
  backendIds(): Set<string> {
    const ids = new Set<string>();
    for (const e of this.#entries.values()) for (const b of e.upstream.pool.backends) ids.add(b.id);
    return ids;
  }

  stop(): void {
    for (const e of this.#entries.values()) {
      e.health.stop();
      e.upstream.queue?.clear(new Error("shutting down"));
    }
  }
}
