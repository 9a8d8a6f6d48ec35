import type { Logger } from "pino";
import type { CanaryEvents } from "../canary/canary-controller.ts";
import type { DiscoveryEvents } from "../discovery/provider.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import type { Clock } from "../shared/clock.ts";
import type { BalancerFeed } from "./balancer-feed.ts";

export function loggingHealthEvents(logger: Logger): HealthEvents {
  return {
    onHealthChange: (e) => logger.warn(e, e.up ? "backend up" : "backend down"),
    onEjection: (e) => logger.warn(e, "backend ejected"),
  };
}

export function loggingDiscoveryEvents(logger: Logger): DiscoveryEvents {
  return {
    onDiscoveryError: (e) =>
      logger.error({ upstream: e.upstream, provider: e.provider, err: e.error }, "discovery failed"),
  };
}

/** Every canary transition and analysis logged with the numbers that decided it. */
export function loggingCanaryEvents(logger: Logger): CanaryEvents {
  return {
    onTransition: (e) =>
      logger.warn({ canary: e }, `canary ${e.upstream}: ${e.from} -> ${e.to} at ${e.share}%`),
    onAnalysis: (e) => logger.info({ analysis: e }, `canary ${e.upstream}: analysis ${e.verdict}`),
    onStoreError: (e) =>
      logger.error({ upstream: e.upstream, store: e.store, err: e.error }, "canary state store failed"),
  };
}

/**
 * The hooks the registry and the canaries call: the embedder's (or the logging defaults), then
 * the feed. Method calls, not a spread: a hook may be a class instance whose methods live on its
 * prototype.
 */
export function fannedOutEvents(
  hooks: { health: HealthEvents; discovery: DiscoveryEvents; canary: CanaryEvents },
  feed: BalancerFeed,
  clock: Clock,
  now: () => number,
): HealthEvents & DiscoveryEvents & CanaryEvents {
  return {
    onHealthChange: (e) => {
      hooks.health.onHealthChange(e);
      feed.publish({ type: "health", ...e });
    },
    onEjection: (e) => {
      hooks.health.onEjection(e);
      const until = now() + (e.untilMs - clock.now());
      feed.publish({ type: "ejection", upstream: e.upstream, backend: e.backend, reason: e.reason, until });
    },
    onDiscoveryError: (e) => hooks.discovery.onDiscoveryError(e),
    onTransition: (e) => {
      hooks.canary.onTransition(e);
      feed.publish({ type: "canary", ...e });
    },
    onAnalysis: (e) => {
      hooks.canary.onAnalysis(e);
      feed.publish({ type: "analysis", ...e });
    },
    onStoreError: (e) => hooks.canary.onStoreError(e),
  };
}
