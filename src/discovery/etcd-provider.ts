import type { Logger } from "pino";
import type { UpstreamConfig } from "../config/types.ts";
import type { Clock, Random } from "../shared/clock.ts";
import { noopDiscoveryEvents, type DiscoveryEvents } from "./discovery-events.ts";
import { startEtcdUpstreamDiscovery, type EtcdUpstreamDiscovery } from "./etcd-upstream-discovery.ts";
import type { DiscoveryProvider } from "./provider.ts";

/** What the etcd provider needs besides the config. */
export interface EtcdProviderDeps {
  readonly logger: Logger;
  readonly events?: DiscoveryEvents;
  readonly clock?: Clock;
  readonly random?: Random;
}

/**
 * The upstreams whose config has `discovery.etcd`, each watched under its prefix. `start` resolves
 * when every one of them has a first set (etcd's, the cache file's, or none while etcd is away).
 */
export function etcdProvider(
  upstreams: ReadonlyMap<string, UpstreamConfig>,
  deps: EtcdProviderDeps,
): DiscoveryProvider {
  const running: EtcdUpstreamDiscovery[] = [];
  return {
    name: "etcd",
    async start(onChange) {
      const starts = [...upstreams.values()].flatMap((upstream) => {
        const etcd = upstream.discovery?.etcd;
        if (etcd === undefined) return [];
        return [
          startEtcdUpstreamDiscovery(
            upstream.name,
            etcd,
            { ...deps, events: deps.events ?? noopDiscoveryEvents },
            (backends) =>
              onChange(
                upstream.name,
                backends.map((b) => ({ url: b.url, weight: b.weight, backup: b.backup })),
              ),
          ),
        ];
      });
      const started = await Promise.allSettled(starts);
      for (const s of started) if (s.status === "fulfilled") running.push(s.value);
      const failed = started.find((s) => s.status === "rejected");
      if (failed) {
        // One upstream could not start (an unreadable TLS file): leave nothing running behind.
        await this.stop();
        throw failed.reason;
      }
    },
    async stop() {
      await Promise.all(running.splice(0).map((d) => d.stop()));
    },
  };
}
