import type { UpstreamConfig } from "../config/types.ts";
import type { Backend } from "../pool/backend.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { PassiveRecorder } from "../proxy/upstream.ts";
import type { Clock, Random } from "../shared/clock.ts";

/** Health transitions reported to telemetry and logs. */
export interface HealthEvents {
  onHealthChange(event: { upstream: string; backend: string; up: boolean; reason: string }): void;
  onEjection(event: { upstream: string; backend: string; reason: string; untilMs: number }): void;
}

/** Active and passive health of one upstream, started and stopped together. */
export interface UpstreamHealth {
  readonly passive: PassiveRecorder;
  start(): void;
  stop(): void;
}

export function createHealth(
  _config: UpstreamConfig,
  _pool: UpstreamPool,
  _deps: { clock: Clock; random: Random; events: HealthEvents },
): UpstreamHealth {
  return {
    passive: { record: (_b: Backend) => {} },
    start: () => {},
    stop: () => {},
  };
}
