import type { UpstreamConfig } from "../config/types.ts";
import type { DiscoveryProvider, ProviderFactory } from "./provider.ts";
import { staticProvider } from "./static-provider.ts";

/** Every kind of discovery traceway knows; an upstream's config selects one ({@link providerKindOf}). */
export type ProviderKind = "static";

const factories: Readonly<Record<ProviderKind, ProviderFactory>> = {
  static: staticProvider,
};

/** Provider kinds in documentation order. */
export const providerKinds: readonly ProviderKind[] = Object.freeze(Object.keys(factories) as ProviderKind[]);

/**
 * Which provider feeds `upstream`. The config keeps `backends` and `discovery.*` mutually
 * exclusive, so exactly one source applies; today every upstream lists its backends.
 */
export function providerKindOf(_upstream: UpstreamConfig): ProviderKind {
  return "static";
}

/** A fresh provider for one upstream (providers hold per-upstream state: a watch, a cache). */
export function createProvider(upstream: UpstreamConfig): DiscoveryProvider {
  return factories[providerKindOf(upstream)](upstream);
}
