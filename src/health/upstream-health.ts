import type { RetryOn, UpstreamConfig } from "../config/types.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { PassiveRecorder } from "./attempt-outcome.ts";
import type { Clock, Random } from "../shared/clock.ts";
import { ActiveHealthChecker, isDownByChecker } from "./active-checker.ts";
import { PassiveHealth } from "./passive-health.ts";
import type { Scheduler } from "./scheduler.ts";

/** Health transitions reported to telemetry and logs. */
export interface HealthEvents {
  onHealthChange(event: { upstream: string; backend: string; up: boolean; reason: string }): void;
  onEjection(event: { upstream: string; backend: string; reason: string; untilMs: number }): void;
}

/** Active and passive health of one upstream, started and stopped together. */
export interface UpstreamHealth {
  readonly passive: PassiveRecorder;
  /** Present when `healthCheck.enabled`; its `snapshot()` serves the admin API. */
  readonly active: ActiveHealthChecker | undefined;
  start(): void;
  stop(): void;
}

/** The 5xx statuses `retry.on` lists: nginx counts exactly those toward max_fails. */
export function retriedStatuses(on: readonly RetryOn[]): ReadonlySet<number> {
  const statuses = new Set<number>();
  for (const cond of on) if (cond.startsWith("http_")) statuses.add(Number(cond.slice(5)));
  return statuses;
}

export function createHealth(
  config: UpstreamConfig,
  pool: UpstreamPool,
  deps: {
    clock: Clock;
    random: Random;
    events: HealthEvents;
    scheduler?: Scheduler;
    /**
     * `false` in a worker of a multi-worker instance: its primary probes once for the instance and
     * relays the verdicts, so backends see one probe per interval, not one per worker.
     */
    activeChecks?: boolean;
  },
): UpstreamHealth {
  const { clock, random, events } = deps;
  const statuses = retriedStatuses(config.retry.on);
  const passive = new PassiveHealth(config.passive, pool, {
    clock,
    countsStatus: (status) => statuses.has(status),
  });
  passive.onEjection((e) =>
    events.onEjection({
      upstream: pool.name,
      backend: e.backend.label,
      reason: e.reason,
      untilMs: e.untilMs,
    }),
  );
  const active =
    config.healthCheck.enabled && deps.activeChecks !== false
      ? new ActiveHealthChecker(config.healthCheck, pool, {
          clock,
          random,
          ...(deps.scheduler ? { scheduler: deps.scheduler } : {}),
        })
      : undefined;
  active?.onTransition((e) =>
    events.onHealthChange({ upstream: pool.name, backend: e.backend.label, up: e.up, reason: e.reason }),
  );
  return {
    passive,
    active,
    start() {
      if (active) {
        active.start();
        return;
      }
      // A reload that turned checks off must not leave backends down with nobody to bring them up;
      // a backend an operator took down stays down.
      for (const backend of pool.backends) if (isDownByChecker(backend)) pool.setActiveStatus(backend, true);
    },
    stop() {
      active?.stop();
    },
  };
}
