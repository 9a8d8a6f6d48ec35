import type { UpstreamConfig } from "../config/types.ts";
import type {
  BackendSpec,
  DiscoveryEvents,
  DiscoveryProvider,
  ProviderFactory,
} from "../discovery/provider.ts";
import { createProvider } from "../discovery/registry.ts";
import { createHealth, type HealthEvents, type UpstreamHealth } from "../health/upstream-health.ts";
import { UpstreamPool } from "../pool/upstream-pool.ts";
import type { Clock, Random } from "../shared/clock.ts";
import { createStrategy } from "../strategies/registry.ts";
import { ConnectionQueue } from "./connection-queue.ts";
import { RetryPolicy } from "./retry-policy.ts";
import type { Upstream } from "./upstream.ts";

export interface RegistryDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly events: HealthEvents & DiscoveryEvents;
  /** A snapshot removed backends from a pool: the owner frees their connections. */
  readonly onBackendsRemoved?: () => void;
  /** Makes each upstream's provider; default {@link createProvider} (from the config). */
  readonly createProvider?: ProviderFactory;
}

interface Entry {
  readonly upstream: Upstream;
  readonly health: UpstreamHealth;
  readonly provider: DiscoveryProvider;
  readonly unsubscribe: () => void;
}

/**
 * Owns the live upstreams across reloads and discovery snapshots. Each upstream's pool is fed only
 * by its discovery provider; a reload builds new `Upstream` views (settings, strategy, retry
 * policy, provider) around the same pool, so the health of unchanged backends survives.
 */
export class UpstreamRegistry {
  readonly #entries = new Map<string, Entry>();
  readonly #deps: RegistryDeps;

  constructor(deps: RegistryDeps) {
    this.#deps = deps;
  }

  get pools(): ReadonlyMap<string, UpstreamPool> {
    const pools = new Map<string, UpstreamPool>();
    for (const [name, e] of this.#entries) pools.set(name, e.upstream.pool);
    return pools;
  }

  /** Apply a config; returns the upstream views new requests should use. */
  apply(configs: ReadonlyMap<string, UpstreamConfig>): ReadonlyMap<string, Upstream> {
    const views = new Map<string, Upstream>();
    for (const [name, config] of configs) views.set(name, this.#applyOne(name, config));
    for (const [name, entry] of this.#entries) {
      if (!configs.has(name)) {
        void this.#retire(entry);
        this.#entries.delete(name);
      }
    }
    return views;
  }

  /** Origins of every backend in every pool, for connection clean-up. */
  backendIds(): Set<string> {
    const ids = new Set<string>();
    for (const e of this.#entries.values()) for (const b of e.upstream.pool.backends) ids.add(b.id);
    return ids;
  }

  /** Stops discovery and health checks, and fails queued requests. */
  async stop(): Promise<void> {
    const stopping: Promise<void>[] = [];
    for (const e of this.#entries.values()) {
      stopping.push(this.#retire(e));
      e.upstream.queue?.clear(new Error("shutting down"));
    }
    await Promise.all(stopping);
  }

  #applyOne(name: string, config: UpstreamConfig): Upstream {
    const { clock, random, events } = this.#deps;
    const previous = this.#entries.get(name);
    const poolOptions = { clock, slowStartMs: config.slowStartMs, panicMode: config.panicMode };
    let pool: UpstreamPool;
    if (previous) {
      pool = previous.upstream.pool;
      pool.configure(poolOptions);
      void this.#retire(previous);
    } else {
      pool = new UpstreamPool(name, undefined, poolOptions);
    }
    const health = createHealth(config, pool, { clock, random, events });
    const upstream: Upstream = {
      name,
      config,
      pool,
      // Keep learned strategy state (EWMA latencies, WRR position) when the strategy is unchanged.
      strategy:
        previous?.upstream.config.strategy === config.strategy
          ? previous.upstream.strategy
          : createStrategy(config.strategy, { clock, random }),
      passive: health.passive,
      retry: new RetryPolicy(config.retry),
      queue:
        config.maxConnsPerBackend > 0
          ? new ConnectionQueue(config.queue.size, config.queue.timeoutMs)
          : undefined,
    };
    const entry: Entry = {
      upstream,
      health,
      provider: (this.#deps.createProvider ?? createProvider)(config),
      unsubscribe: this.#watchRemovals(pool),
    };
    this.#entries.set(name, entry);
    // The static provider reports synchronously, so health checks start on the config's backends.
    this.#startDiscovery(name, entry);
    health.start();
    return upstream;
  }

  #startDiscovery(name: string, entry: Entry): void {
    const { provider } = entry;
    const onChange = (upstream: string, backends: readonly BackendSpec[]): void => {
      // A provider replaced by a reload may still report once; only the current one feeds the pool.
      if (this.#entries.get(name)?.provider !== provider) return;
      if (upstream !== name) {
        this.#reportError(name, provider, new Error(`reported backends for upstream "${upstream}"`));
        return;
      }
      try {
        entry.upstream.pool.reconcile(backends);
      } catch (error) {
        // A snapshot the pool cannot take (a malformed URL) is refused whole: the last one stays.
        this.#reportError(name, provider, error);
      }
    };
    try {
      provider.start(onChange).catch((error: unknown) => this.#reportError(name, provider, error));
    } catch (error) {
      this.#reportError(name, provider, error);
    }
  }

  #watchRemovals(pool: UpstreamPool): () => void {
    const { onBackendsRemoved } = this.#deps;
    if (!onBackendsRemoved) return () => {};
    return pool.onChange((change) => {
      if (change.type === "members" && change.removed.length > 0) onBackendsRemoved();
    });
  }

  #retire(entry: Entry): Promise<void> {
    entry.unsubscribe();
    entry.health.stop();
    return entry.provider.stop().catch((error: unknown) => {
      this.#reportError(entry.upstream.name, entry.provider, error);
    });
  }

  #reportError(upstream: string, provider: DiscoveryProvider, error: unknown): void {
    try {
      this.#deps.events.onDiscoveryError({ upstream, provider: provider.name, error });
    } catch {
      // A logging hook must not break discovery.
    }
  }
}
