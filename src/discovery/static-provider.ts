import type { UpstreamConfig } from "../config/types.ts";
import type { DiscoveryProvider } from "./provider.ts";

/**
 * The upstream's `backends` from the config file: reported once, synchronously, on start. A reload
 * makes a new provider, whose first report is the new list.
 */
export function staticProvider(upstream: UpstreamConfig): DiscoveryProvider {
  return {
    name: "static",
    start(onChange) {
      onChange(upstream.name, upstream.backends);
      return Promise.resolve();
    },
    stop: () => Promise.resolve(),
  };
}
