import type { Logger } from "pino";
import type { TracewayConfig } from "../config/types.ts";
import type { DiscoveryObserver } from "../discovery/discovery-observer.ts";
import type { DiscoveryProvider } from "../discovery/provider.ts";
import { createProvider } from "../discovery/registry.ts";
import { takeSharedEjection } from "../health/shared-ejection.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import { poolStateOf, type PoolState } from "../pool/pool-state.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import { BalancerFeed } from "../server/balancer-feed.ts";
import { systemClock, systemRandom, type Clock } from "../shared/clock.ts";
import type { Upstream } from "../upstream/upstream.ts";
import { UpstreamRegistry } from "../upstream/upstream-registry.ts";

export interface ControlPlaneDeps {
  readonly logger: Logger;
  readonly healthEvents: HealthEvents;
  readonly discoveryObserver?: DiscoveryObserver;
  readonly clock?: Clock;
  /** Wall-clock milliseconds, for the event feed. */
  readonly now?: () => number;
}

/**
 * What a multi-worker primary owns once for the instance: every upstream's discovery provider (one
 * etcd watch, not one per worker), its active health checks (one probe per interval, not N) and
 * the pools they set. Whenever a pool changes (members, a verdict, an ejection a worker reported,
 * an override), its whole state is handed to the listeners, which relay it to every worker.
 * Changes within one tick are sent once per upstream.
 */
export class ControlPlane {
  /** Health, ejection and membership events of the instance, for the admin API's event stream. */
  readonly feed: BalancerFeed;
  readonly #registry: UpstreamRegistry;
  readonly #clock: Clock;
  readonly #now: () => number;
  readonly #watched = new Map<string, { pool: UpstreamPool; off: () => void }>();
  readonly #listeners = new Set<(upstream: string, state: PoolState) => void>();
  readonly #dirty = new Set<string>();
  #flushQueued = false;

  constructor(deps: ControlPlaneDeps) {
    const { logger } = deps;
    this.#clock = deps.clock ?? systemClock;
    this.#now = deps.now ?? Date.now;
    const feed = (this.feed = new BalancerFeed(this.#now));
    const providerDeps = {
      logger,
      clock: this.#clock,
      random: systemRandom,
      ...(deps.discoveryObserver ? { observer: deps.discoveryObserver } : {}),
    };
    this.#registry = new UpstreamRegistry({
      clock: this.#clock,
      random: systemRandom,
      events: {
        onHealthChange: (e) => {
          deps.healthEvents.onHealthChange(e);
          feed.publish({ type: "health", ...e });
        },
        onEjection: (e) => {
          deps.healthEvents.onEjection(e);
          this.#publishEjection(e.upstream, e.backend, e.reason, e.untilMs);
        },
        onDiscoveryError: (e) =>
          logger.error({ upstream: e.upstream, provider: e.provider, err: e.error }, "discovery failed"),
      },
      onMembers: (change) => feed.publish({ type: "members", ...change }),
      // Every snapshot is relayed, also one that only changed a weight (the pool emits no change then).
      createProvider: (upstream) => this.#relaying(createProvider(upstream, providerDeps)),
    });
  }

  /** Pools by upstream, as the registry holds them. */
  get pools(): ReadonlyMap<string, UpstreamPool> {
    return this.#registry.pools;
  }

  /** The upstream views (what the admin API reads and changes). */
  get upstreams(): ReadonlyMap<string, Upstream> {
    return this.#registry.upstreams;
  }

  /** The discovery provider feeding `upstream`. */
  providerName(upstream: string): string | undefined {
    return this.#registry.providerName(upstream);
  }

  /** Apply a validated config: start, replace or stop providers and health checks. */
  apply(config: TracewayConfig): void {
    this.#registry.apply(config.upstreams);
    for (const [name, { pool, off }] of this.#watched) {
      if (this.#registry.pools.get(name) === pool) continue;
      off();
      this.#watched.delete(name);
    }
    for (const [name, pool] of this.#registry.pools) {
      if (!this.#watched.has(name))
        this.#watched.set(name, { pool, off: pool.onChange(() => this.#changed(name)) });
    }
  }

  /** Every pool's state now. */
  states(): [string, PoolState][] {
    return [...this.#registry.pools].map(([name, pool]) => [name, poolStateOf(pool, this.#clock)]);
  }

  /** Called with an upstream's whole state after it changed. */
  onState(listener: (upstream: string, state: PoolState) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * An ejection a worker's passive health decided: taken for the instance unless it would leave
   * no backend up. Either way the upstream's state goes out again, so the worker that ejected
   * lifts its own ejection if it was refused, and every worker ends it at the same time.
   */
  takeEjection(upstream: string, backendId: string, forMs: number, reason = "passive"): void {
    const pool = this.#registry.pools.get(upstream);
    const backend = pool?.backends.find((b) => b.id === backendId);
    if (!pool || !backend) return;
    const until = this.#clock.now() + forMs;
    const fresh = until > backend.ejectedUntil;
    if (takeSharedEjection(pool, backend, until) && fresh)
      this.#publishEjection(upstream, backend.label, reason, until);
    this.#changed(upstream);
  }

  #publishEjection(upstream: string, backend: string, reason: string, untilMs: number): void {
    const until = this.#now() + (untilMs - this.#clock.now());
    this.feed.publish({ type: "ejection", upstream, backend, reason, until });
  }

  /**
   * Pools lift ejections and finish slow starts lazily, when asked for candidates; nothing asks
   * in a primary, which serves no traffic. Called before a scrape, so health series are current.
   */
  refresh(): void {
    for (const pool of this.#registry.pools.values()) pool.candidates();
  }

  async stop(): Promise<void> {
    for (const { off } of this.#watched.values()) off();
    this.#watched.clear();
    await this.#registry.stop();
  }

  #relaying(provider: DiscoveryProvider): DiscoveryProvider {
    return {
      name: provider.name,
      start: (onChange) =>
        provider.start((upstream, backends) => {
          onChange(upstream, backends);
          this.#changed(upstream);
        }),
      stop: () => provider.stop(),
    };
  }

  #changed(upstream: string): void {
    this.#dirty.add(upstream);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    this.#flushQueued = false;
    const names = [...this.#dirty];
    this.#dirty.clear();
    for (const name of names) {
      const pool = this.#registry.pools.get(name);
      if (!pool) continue;
      const state = poolStateOf(pool, this.#clock);
      for (const listener of this.#listeners) listener(name, state);
    }
  }
}
