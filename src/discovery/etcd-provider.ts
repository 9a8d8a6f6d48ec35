import type { Logger } from "pino";
import type { UpstreamConfig } from "../config/types.ts";
import type { Clock, Random } from "../shared/clock.ts";
import { noopDiscoveryObserver, type DiscoveryObserver } from "./discovery-observer.ts";
import { startEtcdUpstreamDiscovery, type EtcdUpstreamDiscovery } from "./etcd-upstream-discovery.ts";
import type { DiscoveryProvider } from "./provider.ts";

/** What the etcd provider needs besides the upstream's config. */
export interface EtcdProviderDeps {
  readonly logger: Logger;
  readonly observer?: DiscoveryObserver;
  readonly clock?: Clock;
  readonly random?: Random;
}

/**
 * The provider of an upstream with `discovery.etcd`: a thin adapter from the prefix watcher's full
 * sets to the provider interface. `start` resolves once there is a first set (etcd's, the cache
 * file's, or none while etcd is away) and rejects only when it cannot run at all (an unreadable
 * TLS file); the watch goes on retrying in the background.
 */
export function etcdProvider(upstream: UpstreamConfig, deps: EtcdProviderDeps): DiscoveryProvider {
  const etcd = upstream.discovery?.etcd;
  let running: EtcdUpstreamDiscovery | undefined;
  let stopped = false;
  return {
    name: "etcd",
    async start(onChange) {
      if (etcd === undefined) throw new Error(`upstream "${upstream.name}" has no discovery.etcd`);
      const discovery = await startEtcdUpstreamDiscovery(
        upstream.name,
        etcd,
        { ...deps, observer: deps.observer ?? noopDiscoveryObserver },
        (backends) => {
          if (stopped) return;
          onChange(
            upstream.name,
            backends.map((b) => ({ url: b.url, weight: b.weight, backup: b.backup })),
          );
        },
      );
      running = discovery;
      // stop() may have been called while the first list was in flight.
      if (stopped) await discovery.stop();
    },
    async stop() {
      stopped = true;
      await running?.stop();
    },
  };
}
