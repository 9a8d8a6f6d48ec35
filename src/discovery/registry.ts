import pino, { type Logger } from "pino";
import type { UpstreamConfig } from "../config/types.ts";
import type { Clock, Random } from "../shared/clock.ts";
import type { DiscoveryObserver } from "./discovery-observer.ts";
import { etcdProvider } from "./etcd-provider.ts";
import type { DiscoveryProvider } from "./provider.ts";
import { staticProvider } from "./static-provider.ts";

/** Every kind of discovery traceway knows; an upstream's config selects one ({@link providerKindOf}). */
export type ProviderKind = "static" | "etcd";

/** What providers that talk to something (etcd) need besides the upstream's config. */
export interface ProviderDeps {
  readonly logger: Logger;
  readonly observer?: DiscoveryObserver;
  readonly clock?: Clock;
  readonly random?: Random;
}

const factories: Readonly<
  Record<ProviderKind, (upstream: UpstreamConfig, deps: ProviderDeps) => DiscoveryProvider>
> = {
  static: (upstream) => staticProvider(upstream),
  etcd: (upstream, deps) => etcdProvider(upstream, deps),
};

/** Provider kinds in documentation order. */
export const providerKinds: readonly ProviderKind[] = Object.freeze(Object.keys(factories) as ProviderKind[]);

/**
 * Which provider feeds `upstream`. The config keeps `backends` and `discovery.*` mutually
 * exclusive, so exactly one source applies.
 */
export function providerKindOf(upstream: UpstreamConfig): ProviderKind {
  return upstream.discovery?.etcd === undefined ? "static" : "etcd";
}

const quiet: ProviderDeps = { logger: pino({ level: "silent" }) };

/** A fresh provider for one upstream (providers hold per-upstream state: a watch, a cache). */
export function createProvider(upstream: UpstreamConfig, deps: ProviderDeps = quiet): DiscoveryProvider {
  return factories[providerKindOf(upstream)](upstream, deps);
}
