import type { BackendSpec } from "../../src/config/types.ts";
import type { DiscoveryProvider, ProviderFactory } from "../../src/discovery/provider.ts";

/**
 * A discovery provider the test publishes snapshots into, standing where etcd or the admin API
 * will: a real implementation of the provider interface, driven by hand.
 */
export interface TestDiscovery {
  /** Pass as `startBalancer({ discovery })`. */
  readonly factory: ProviderFactory;
  /** Reports the full backend set of `upstream`, as a provider does on every change. */
  publish(upstream: string, urls: readonly string[]): void;
  /** Reports full backend declarations (metadata, weights) of `upstream`. */
  publishSpecs(upstream: string, specs: readonly BackendSpec[]): void;
  /** Providers started and not yet stopped. */
  running(): number;
}

export function createTestDiscovery(): TestDiscovery {
  const reporters = new Map<string, (backends: readonly BackendSpec[]) => void>();
  let running = 0;
  const factory: ProviderFactory = (upstream) => {
    const provider: DiscoveryProvider = {
      name: "test",
      start(onChange) {
        running++;
        reporters.set(upstream.name, (backends) => onChange(upstream.name, backends));
        return Promise.resolve();
      },
      stop() {
        running--;
        return Promise.resolve();
      },
    };
    return provider;
  };
  return {
    factory,
    publish(upstream, urls) {
      const report = reporters.get(upstream);
      if (!report) throw new Error(`no provider started for upstream "${upstream}"`);
      report(urls.map((url) => ({ url, weight: 1, backup: false, source: "etcd" })));
    },
    publishSpecs(upstream, specs) {
      const report = reporters.get(upstream);
      if (!report) throw new Error(`no provider started for upstream "${upstream}"`);
      report(specs);
    },
    running: () => running,
  };
}
