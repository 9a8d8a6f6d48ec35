import type { UpstreamConfig } from "../config/types.ts";
import type { DiscoveryProvider } from "./provider.ts";

/** Backends listed in the config file: reported once, on start. Reloads build a new provider. */
export function staticProvider(upstreams: ReadonlyMap<string, UpstreamConfig>): DiscoveryProvider {
  return {
    name: "static",
    start(onChange) {
      for (const [name, upstream] of upstreams) onChange(name, upstream.backends);
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
  };
}
