import type { PassiveHealthConfig } from "../config/types.ts";
import type { Backend } from "../pool/backend.ts";
import type { StatusSetter } from "../pool/upstream-pool.ts";
import type { PassiveOutcome, PassiveRecorder } from "./attempt-outcome.ts";
import type { Clock } from "../shared/clock.ts";

/** Envoy's default `max_ejection_time`: the cap on `baseEjectionMs × timesEjected`. */
export const MAX_EJECTION_MS = 300_000;

/** The part of a pool passive health needs. */
export interface EjectionTarget extends StatusSetter {
  readonly backends: readonly Backend[];
  isUp(backend: Backend): boolean;
}

export interface EjectionEvent {
  readonly backend: Backend;
  /** `3 failures within 10000ms (max_fails)`, `5 consecutive failures, last status 503`. */
  readonly reason: string;
  /** Clock time the ejection ends. */
  readonly untilMs: number;
}

export interface PassiveHealthDeps {
  readonly clock: Clock;
  /**
   * Which 5xx statuses count toward `maxFails` — nginx counts the ones `proxy_next_upstream`
   * lists, so pass the upstream's `retry.on` statuses. Connect errors, timeouts and resets
   * always count. (Consecutive-5xx detection counts every 5xx, as Envoy does.)
   */
  readonly countsStatus: (status: number) => boolean;
}

interface BackendState {
  /** Clock times of recent max_fails failures, oldest first, at most `maxFails` of them. */
  failures: number[];
  consecutive: number;
  timesEjected: number;
  /** When the last consecutive-5xx ejection ended; drives the decay of `timesEjected`. */
  lastEjectionEnd: number;
}

/**
 * Passive health from the proxy's own attempts. Two independent detectors:
 *
 * - **nginx `max_fails` / `fail_timeout`**: `maxFails` failures within a sliding window of
 *   `failTimeoutMs` eject the backend for `failTimeoutMs`.
 * - **Envoy consecutive 5xx**: `consecutive5xx` failures in a row (any 5xx, connect error,
 *   timeout or reset; a non-5xx response resets the run) eject it for
 *   `baseEjectionMs × timesEjected`, capped at {@link MAX_EJECTION_MS}; `timesEjected` decays by
 *   one per `baseEjectionMs` spent without an ejection. At most `maxEjectionPercent` of the
 *   upstream's backends are ejected at once: `floor(n × percent / 100)`, but at least one when
 *   the percentage is above 0 (Envoy ≤ 1.30, or ≥ 1.31 with `always_eject_one_host`).
 *
 * Neither detector ejects the last backend that can still take traffic: that would turn every
 * request into a 503 while the backend may well answer some (nginx marks all servers live again
 * when all have failed, and never marks down a lone server). Ejections lift by time in the pool.
 */
export class PassiveHealth implements PassiveRecorder {
  readonly #config: PassiveHealthConfig;
  readonly #pool: EjectionTarget;
  readonly #clock: Clock;
  readonly #countsStatus: (status: number) => boolean;
  readonly #state = new WeakMap<Backend, BackendState>();
  readonly #listeners = new Set<(event: EjectionEvent) => void>();

  constructor(config: PassiveHealthConfig, pool: EjectionTarget, deps: PassiveHealthDeps) {
    this.#config = config;
    this.#pool = pool;
    this.#clock = deps.clock;
    this.#countsStatus = deps.countsStatus;
  }

  /** Listen for ejections (telemetry, logs). Returns the unsubscribe function. */
  onEjection(listener: (event: EjectionEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Called by the proxy after every attempt. */
  record(backend: Backend, outcome: PassiveOutcome): void {
    const { maxFails, consecutive5xx } = this.#config;
    if (maxFails <= 0 && consecutive5xx <= 0) return;
    if (outcome.kind === "success") {
      const state = this.#state.get(backend);
      if (state) state.consecutive = 0;
      return;
    }
    const now = this.#clock.now();
    // Attempts that were already running when the backend was ejected say nothing new.
    if (backend.ejectedUntil > now) return;
    const state = this.#stateOf(backend);
    const detail = outcome.kind === "http_5xx" ? `status ${outcome.status ?? "5xx"}` : outcome.kind;

    if (consecutive5xx > 0) {
      state.consecutive++;
      if (state.consecutive >= consecutive5xx && this.#mayEjectByPercent(now) && this.#notLast(backend)) {
        this.#ejectConsecutive(backend, state, now, detail);
        return;
      }
    }

    if (maxFails > 0 && (outcome.kind !== "http_5xx" || this.#countsStatus(outcome.status ?? 500))) {
      const windowStart = now - this.#config.failTimeoutMs;
      const failures = state.failures;
      while (failures.length > 0 && (failures[0] ?? now) <= windowStart) failures.shift();
      failures.push(now);
      if (failures.length > maxFails) failures.shift();
      if (failures.length >= maxFails && this.#notLast(backend)) {
        const n = failures.length;
        const reason = `${n} failure${n === 1 ? "" : "s"} within ${this.#config.failTimeoutMs}ms (max_fails), last ${detail}`;
        this.#eject(backend, state, now + this.#config.failTimeoutMs, reason);
      }
    }
  }

  #stateOf(backend: Backend): BackendState {
    let state = this.#state.get(backend);
    if (!state) {
      state = { failures: [], consecutive: 0, timesEjected: 0, lastEjectionEnd: -Infinity };
      this.#state.set(backend, state);
    }
    return state;
  }

  #ejectConsecutive(backend: Backend, state: BackendState, now: number, detail: string): void {
    const { baseEjectionMs, consecutive5xx } = this.#config;
    if (baseEjectionMs > 0 && state.timesEjected > 0) {
      const quietSteps = Math.floor((now - state.lastEjectionEnd) / baseEjectionMs);
      state.timesEjected = Math.max(0, state.timesEjected - quietSteps);
    }
    state.timesEjected++;
    const duration = Math.min(baseEjectionMs * state.timesEjected, Math.max(MAX_EJECTION_MS, baseEjectionMs));
    state.lastEjectionEnd = now + duration;
    const reason = `${consecutive5xx} consecutive failures (ejection ${state.timesEjected}), last ${detail}`;
    this.#eject(backend, state, now + duration, reason);
  }

  #eject(backend: Backend, state: BackendState, untilMs: number, reason: string): void {
    // Both detectors start afresh once the backend is back: its old failures are paid for.
    state.consecutive = 0;
    state.failures.length = 0;
    this.#pool.eject(backend, untilMs);
    const event: EjectionEvent = { backend, reason, untilMs };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A telemetry or logging hook must not break the request that reported the failure.
      }
    }
  }

  /** Envoy's `max_ejection_percent`, over every backend of the upstream (backups included). */
  #mayEjectByPercent(now: number): boolean {
    const percent = Math.min(100, this.#config.maxEjectionPercent);
    if (percent <= 0) return false;
    const backends = this.#pool.backends;
    let ejected = 0;
    for (const b of backends) if (b.ejectedUntil > now) ejected++;
    const allowed = Math.max(1, Math.floor((backends.length * percent) / 100));
    return ejected < allowed;
  }

  /** True when some other backend could take the traffic this one would lose. */
  #notLast(backend: Backend): boolean {
    for (const b of this.#pool.backends) if (b !== backend && this.#pool.isUp(b)) return true;
    return false;
  }
}
