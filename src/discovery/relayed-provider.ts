import type { BackendSpec, UpstreamConfig } from "../config/types.ts";
import type { DiscoveryProvider } from "./provider.ts";

/**
 * Backend sets whose real provider runs somewhere else. In a multi-worker instance the primary
 * runs each upstream's provider once (one etcd watch per instance, not one per worker) and relays
 * every snapshot it applied; each worker's pools are fed from here, through the same provider
 * interface and registry path as a provider of its own, so a relayed snapshot is reconciled exactly
 * as a local one would be.
 */
export class SnapshotRelay {
  readonly #sets = new Map<string, readonly BackendSpec[]>();
  readonly #listeners = new Map<string, Set<(backends: readonly BackendSpec[]) => void>>();

  /** The full set of `upstream` now; reported at once to its running provider, if any. */
  set(upstream: string, backends: readonly BackendSpec[]): void {
    this.#sets.set(upstream, backends);
    for (const listener of this.#listeners.get(upstream) ?? []) listener(backends);
  }

  /** Forget upstreams a reload removed. */
  retain(upstreams: ReadonlySet<string>): void {
    for (const name of this.#sets.keys()) if (!upstreams.has(name)) this.#sets.delete(name);
  }

  /**
   * The provider of one upstream: reports the last relayed set synchronously on start (as the
   * static provider does, so a reload's new upstream is served at once), then every new one.
   * Before the first set arrives the pool stays empty, as it does before a first etcd list.
   */
  provider(upstream: UpstreamConfig): DiscoveryProvider {
    const name = upstream.name;
    let listener: ((backends: readonly BackendSpec[]) => void) | undefined;
    return {
      name: "relay",
      start: (onChange) => {
        listener = (backends) => onChange(name, backends);
        let listeners = this.#listeners.get(name);
        if (!listeners) this.#listeners.set(name, (listeners = new Set()));
        listeners.add(listener);
        const current = this.#sets.get(name);
        if (current !== undefined) listener(current);
        return Promise.resolve();
      },
      stop: () => {
        const listeners = this.#listeners.get(name);
        if (listener) listeners?.delete(listener);
        if (listeners?.size === 0) this.#listeners.delete(name);
        return Promise.resolve();
      },
    };
  }
}
