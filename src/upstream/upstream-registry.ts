import type { CanaryConfig, UpstreamConfig } from "../config/types.ts";
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
import { CanarySplit } from "./canary-split.ts";
import { ConnectionQueue } from "./connection-queue.ts";
import { RetryPolicy } from "./retry-policy.ts";
import type { Upstream } from "./upstream.ts";

export interface RegistryDeps {
  readonly clock: Clock;
  readonly random: Random;
  readonly events: HealthEvents & DiscoveryEvents;
  /** A snapshot removed backends from a pool: the owner frees their connections. */
  readonly onBackendsRemoved?: () => void;
  /** A pool's members changed (discovery, reload): the admin API's event stream reports it. */
  readonly onMembers?: (event: MembersChange) => void;
  /** Makes each upstream's provider; default {@link createProvider} (from the config). */
  readonly createProvider?: ProviderFactory;
  /** `false`: active health is decided elsewhere and applied to the pools (a worker's primary). */
  readonly activeChecks?: boolean;
}

/** Backends that joined or left one side of an upstream, by `host:port`. */
export interface MembersChange {
  readonly upstream: string;
  readonly role: "stable" | "canary";
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

interface Entry {
  readonly upstream: Upstream;
  readonly health: UpstreamHealth;
  /** The canary side's health, when the upstream has a canary. */
  readonly canaryHealth: UpstreamHealth | undefined;
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

  /** The canary side's pool of each upstream that has a canary. */
  get canaryPools(): ReadonlyMap<string, UpstreamPool> {
    const pools = new Map<string, UpstreamPool>();
    for (const [name, e] of this.#entries) if (e.upstream.canary) pools.set(name, e.upstream.canary.pool);
    return pools;
  }

  /** The current view of every upstream (the one new requests use). */
  get upstreams(): ReadonlyMap<string, Upstream> {
    const views = new Map<string, Upstream>();
    for (const [name, e] of this.#entries) views.set(name, e.upstream);
    return views;
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

  /** The name of the discovery provider feeding `upstream` (`static`, `etcd`), if it exists. */
  providerName(upstream: string): string | undefined {
    return this.#entries.get(upstream)?.provider.name;
  }

  /** Origins of every backend in every pool, for connection clean-up. */
  backendIds(): Set<string> {
    const ids = new Set<string>();
    for (const e of this.#entries.values()) {
      for (const b of e.upstream.pool.backends) ids.add(b.id);
      for (const b of e.upstream.canary?.pool.backends ?? []) ids.add(b.id);
    }
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
    const health = createHealth(config, pool, {
      clock,
      random,
      events,
      ...(this.#deps.activeChecks === false ? { activeChecks: false } : {}),
    });
    // Keep learned strategy state (EWMA latencies, WRR position) when the strategy is unchanged.
    const sameStrategy = previous?.upstream.config.strategy === config.strategy;
    const canary = config.canary && this.#canarySide(name, config, config.canary, previous, sameStrategy);
    const upstream: Upstream = {
      name,
      config,
      pool,
      strategy: sameStrategy
        ? previous.upstream.strategy
        : createStrategy(config.strategy, { clock, random, members: () => pool.backends }),
      passive: health.passive,
      retry: new RetryPolicy(config.retry),
      queue:
        config.maxConnsPerBackend > 0
          ? new ConnectionQueue(config.queue.size, config.queue.timeoutMs)
          : undefined,
      ...(canary ? { canary: canary.split } : {}),
    };
    const entry: Entry = {
      upstream,
      health,
      canaryHealth: canary?.health,
      provider: (this.#deps.createProvider ?? createProvider)(config),
      unsubscribe: this.#watchMembers(upstream),
    };
    this.#entries.set(name, entry);
    // The canary's own list is its whole set; a selector takes its set from each snapshot.
    if (canary && config.canary?.select === undefined)
      canary.split.pool.reconcile(config.canary?.backends ?? []);
    // The static provider reports synchronously, so health checks start on the config's backends.
    this.#startDiscovery(name, entry);
    health.start();
    canary?.health.start();
    return upstream;
  }

  /**
   * The canary side: its pool survives reloads like the stable one (health and measurements of
   * unchanged backends stay), and a new split takes over the share the controller last set.
   */
  #canarySide(
    name: string,
    config: UpstreamConfig,
    canaryConfig: CanaryConfig,
    previous: Entry | undefined,
    sameStrategy: boolean,
  ): { split: CanarySplit; health: UpstreamHealth } {
    const { clock, random, events } = this.#deps;
    const poolOptions = { clock, slowStartMs: config.slowStartMs, panicMode: config.panicMode };
    const old = previous?.upstream.canary;
    const pool = old?.pool ?? new UpstreamPool(name, undefined, poolOptions);
    pool.configure(poolOptions);
    const health = createHealth(config, pool, { clock, random, events });
    const strategy =
      old && sameStrategy
        ? old.strategy
        : createStrategy(config.strategy, { clock, random, members: () => pool.backends });
    const split = new CanarySplit({ pool, strategy, passive: health.passive }, canaryConfig);
    if (old) split.setState({ share: old.share, runTag: old.runTag });
    return { split, health };
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
        const canary = entry.upstream.canary;
        const select = entry.upstream.config.canary?.select;
        if (canary && select) {
          // Parsed whole first (reconcile throws before changing anything), so a bad snapshot changes neither side.
          const [canarySet, stableSet] = partition(backends, (b) => matches(b, select.metadata));
          for (const b of canarySet) new URL(b.url);
          entry.upstream.pool.reconcile(stableSet);
          canary.pool.reconcile(canarySet);
        } else {
          entry.upstream.pool.reconcile(backends);
        }
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

  #watchMembers(upstream: Upstream): () => void {
    const { onBackendsRemoved, onMembers } = this.#deps;
    const sides: [UpstreamPool, "stable" | "canary"][] = [[upstream.pool, "stable"]];
    if (upstream.canary) sides.push([upstream.canary.pool, "canary"]);
    const offs = sides.map(([pool, role]) =>
      pool.onChange((change) => {
        if (change.type !== "members") return;
        if (change.removed.length > 0) onBackendsRemoved?.();
        onMembers?.({
          upstream: upstream.name,
          role,
          added: change.added.map((b) => b.label),
          removed: change.removed.map((b) => b.label),
        });
      }),
    );
    return () => {
      for (const off of offs) off();
    };
  }

  #retire(entry: Entry): Promise<void> {
    entry.unsubscribe();
    entry.health.stop();
    entry.canaryHealth?.stop();
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

/** True when `spec` carries every label of `selector` with the same value. */
function matches(spec: BackendSpec, selector: Readonly<Record<string, string>>): boolean {
  const metadata = spec.metadata;
  if (metadata === undefined) return false;
  for (const key in selector) if (metadata[key] !== selector[key]) return false;
  return true;
}

function partition<T>(items: readonly T[], test: (item: T) => boolean): [T[], T[]] {
  const yes: T[] = [];
  const no: T[] = [];
  for (const item of items) (test(item) ? yes : no).push(item);
  return [yes, no];
}
