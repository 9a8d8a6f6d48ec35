import type { BackendSpec, UpstreamConfig } from "../config/types.ts";

export type { BackendSpec };

/**
 * Where an upstream's backends come from: the one path into its pool. A provider reports the
 * *full* backend set whenever it changes (never a delta), so a missed event cannot leave the pool
 * wrong for longer than the next report; the pool reconciles each snapshot (unchanged origins keep
 * their health, removed ones finish their in-flight requests, added ones slow-start). The config
 * file's `backends` list is one provider (`static`); etcd registrations and the admin API are
 * others, with the same standing.
 */
export interface DiscoveryProvider {
  /** A short name for logs and metrics (`static`, `etcd`, ...). */
  readonly name: string;
  /**
   * Starts reporting. `onChange` may be called synchronously, before the promise settles, with
   * the initial set; a provider made for one upstream reports that upstream's name. Rejects only
   * when the provider cannot run at all; a source that is merely unreachable keeps retrying and
   * reports once it answers (the pool keeps its last set meanwhile).
   */
  start(onChange: (upstream: string, backends: readonly BackendSpec[]) => void): Promise<void>;
  /** Stops reporting: no `onChange` call after the returned promise settles. */
  stop(): Promise<void>;
}

/** Makes the provider for one upstream from that upstream's config. */
export type ProviderFactory = (upstream: UpstreamConfig) => DiscoveryProvider;

/** Problems a provider reports while it runs (logged, and counted by telemetry). */
export interface DiscoveryEvents {
  onDiscoveryError(event: { upstream: string; provider: string; error: unknown }): void;
}
