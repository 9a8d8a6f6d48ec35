/** Where an upstream's current backend set came from: the bounded `source` label. */
export type DiscoverySource = "static" | "etcd" | "cache";

/**
 * What discovery reports to telemetry, per upstream; telemetry implements it (metrics), discovery
 * knows nothing else about it. Labels stay bounded: upstream names come from the config, sources
 * and error types from fixed lists. Implementations must not throw.
 */
export interface DiscoveryObserver {
  /** A backend set was applied to the upstream's pool. */
  onUpdate(event: {
    readonly upstream: string;
    readonly source: DiscoverySource;
    readonly backends: number;
  }): void;
  /** The source answered: the set is current as of now. */
  onSync(event: { readonly upstream: string; readonly source: DiscoverySource }): void;
  /** Talking to the source failed (`errorType` from a fixed list, e.g. `unavailable`, `compacted`). */
  onError(event: {
    readonly upstream: string;
    readonly source: DiscoverySource;
    readonly errorType: string;
  }): void;
  /** The set is (no longer) known to be current: the source is unreachable and the last set is served. */
  onStale(event: {
    readonly upstream: string;
    readonly source: DiscoverySource;
    readonly stale: boolean;
  }): void;
  /** A registration whose value could not be read was skipped. */
  onMalformed(event: { readonly upstream: string; readonly source: DiscoverySource }): void;
}

export const noopDiscoveryObserver: DiscoveryObserver = {
  onUpdate: () => undefined,
  onSync: () => undefined,
  onError: () => undefined,
  onStale: () => undefined,
  onMalformed: () => undefined,
};
