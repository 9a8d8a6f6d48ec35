import type { HealthCheckConfig } from "../config/types.ts";
import type { Backend } from "../pool/backend.ts";
import type { PoolChange, StatusSetter } from "../pool/upstream-pool.ts";
import type { Clock, Random } from "../shared/clock.ts";
import { probeHttp, type ProbeResult } from "./http-probe.ts";
import { systemScheduler, type Scheduler } from "./scheduler.ts";

/** The part of a pool the active checker needs: its members, their changes, and a StatusSetter. */
export interface CheckedPool extends StatusSetter {
  readonly backends: readonly Backend[];
  onChange(listener: (change: PoolChange) => void): () => void;
}

/** A backend crossed a threshold. `reason` is the last probe's result: `status 500`, `ECONNREFUSED`. */
export interface HealthTransition {
  readonly backend: Backend;
  readonly up: boolean;
  readonly reason: string;
}

/** What the checker knows about one backend, for the admin API. */
export interface ActiveHealthSnapshot {
  readonly backend: string;
  readonly up: boolean;
  readonly consecutiveFailures: number;
  readonly consecutiveSuccesses: number;
  /** Clock time the last probe finished; `undefined` before the first. */
  readonly lastCheckAt: number | undefined;
  readonly lastResult: string | undefined;
}

export interface ActiveCheckerDeps {
  readonly clock: Clock;
  readonly random: Random;
  /** Defaults to the global (unref'd) timers. */
  readonly scheduler?: Scheduler;
  /** Defaults to a real HTTP GET; tests of the state machine may replace it. */
  readonly probe?: (url: URL, timeoutMs: number, signal: AbortSignal) => Promise<ProbeResult>;
}

/**
 * Backends whose current "down" came from an active checker rather than from an operator, so that
 * turning checks off can bring back exactly those (and leave a manually drained backend down).
 */
const downByChecker = new WeakSet<Backend>();

/** True when `backend` is down because an active checker said so. */
export function isDownByChecker(backend: Backend): boolean {
  return !backend.activeUp && downByChecker.has(backend);
}

interface Target {
  readonly backend: Backend;
  readonly url: URL;
  failures: number;
  successes: number;
  timer: unknown;
  probing: AbortController | undefined;
  lastCheckAt: number | undefined;
  lastResult: string | undefined;
}

/**
 * Active health checking for one upstream: every backend is probed with `GET <origin><path>`
 * every `intervalMs` (± `jitter`), one probe at a time per backend. A backend goes down after
 * `unhealthyThreshold` consecutive failed probes and comes back after `healthyThreshold`
 * consecutive successes (HAProxy `fall`/`rise`). The checker starts from the backend's current
 * state (up for a new backend: configuration is trusted until probes disagree), so a dead backend
 * still takes traffic until it has failed `unhealthyThreshold` probes; passive health usually
 * catches it sooner.
 *
 * It only talks to the pool through `setActiveStatus`; strategies never see it.
 */
export class ActiveHealthChecker {
  readonly #config: HealthCheckConfig;
  readonly #pool: CheckedPool;
  readonly #clock: Clock;
  readonly #random: Random;
  readonly #scheduler: Scheduler;
  readonly #probe: (url: URL, timeoutMs: number, signal: AbortSignal) => Promise<ProbeResult>;
  readonly #targets = new Map<Backend, Target>();
  readonly #listeners = new Set<(event: HealthTransition) => void>();
  #running = false;
  #unsubscribe: (() => void) | undefined;

  constructor(config: HealthCheckConfig, pool: CheckedPool, deps: ActiveCheckerDeps) {
    this.#config = config;
    this.#pool = pool;
    this.#clock = deps.clock;
    this.#random = deps.random;
    this.#scheduler = deps.scheduler ?? systemScheduler;
    this.#probe = deps.probe ?? probeHttp;
    this.sync();
  }

  /** Probe every backend now, then keep probing on the interval; follows pool membership. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#unsubscribe = this.#pool.onChange((change) => {
      if (change.type === "members") this.sync();
    });
    this.sync();
    for (const target of this.#targets.values()) this.#schedule(target, 0);
  }

  /** Cancel every timer and abort every probe in flight; their results are discarded. */
  stop(): void {
    this.#running = false;
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
    for (const target of this.#targets.values()) this.#cancel(target);
  }

  /** Track the pool's current members: probe added backends, forget removed ones. */
  sync(): void {
    const members = new Set(this.#pool.backends);
    for (const [backend, target] of this.#targets) {
      if (members.has(backend)) continue;
      this.#cancel(target);
      this.#targets.delete(backend);
    }
    for (const backend of members) {
      if (this.#targets.has(backend)) continue;
      const target: Target = {
        backend,
        url: new URL(this.#config.path, backend.url.origin),
        failures: 0,
        successes: 0,
        timer: undefined,
        probing: undefined,
        lastCheckAt: undefined,
        lastResult: undefined,
      };
      this.#targets.set(backend, target);
      if (this.#running) this.#schedule(target, 0);
    }
  }

  /** Listen for up/down transitions (telemetry, logs). Returns the unsubscribe function. */
  onTransition(listener: (event: HealthTransition) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * Probe one backend now and apply the result to its counters (and the pool, when a threshold
   * is crossed). Resolves `true` iff the probe passed. A probe cut short by `stop()` or by the
   * backend leaving the pool resolves `false` and changes nothing.
   */
  async checkOnce(backend: Backend): Promise<boolean> {
    const target = this.#targets.get(backend);
    if (!target) throw new Error(`backend ${backend.label} is not a member of this pool`);
    target.probing?.abort();
    const controller = new AbortController();
    target.probing = controller;
    let result: ProbeResult;
    try {
      result = await this.#probe(target.url, this.#config.timeoutMs, controller.signal);
    } catch (error) {
      // The default probe never rejects; a replaced one might. Either way it is a failed check.
      result = { error: error instanceof Error ? error.message : String(error) };
    } finally {
      if (target.probing === controller) target.probing = undefined;
    }
    if (controller.signal.aborted || this.#targets.get(backend) !== target) return false;
    const ok = "status" in result && this.#expected(result.status);
    this.#apply(target, ok, "status" in result ? `status ${result.status}` : result.error);
    return ok;
  }

  /** Probe every backend once, concurrently (tests, and the admin API's "check now"). */
  async runRound(): Promise<void> {
    await Promise.all([...this.#targets.keys()].map((b) => this.checkOnce(b)));
  }

  snapshot(): ActiveHealthSnapshot[] {
    return [...this.#targets.values()].map((t) => ({
      backend: t.backend.label,
      up: t.backend.activeUp,
      consecutiveFailures: t.failures,
      consecutiveSuccesses: t.successes,
      lastCheckAt: t.lastCheckAt,
      lastResult: t.lastResult,
    }));
  }

  /** The delay before a backend's next probe: `intervalMs` ± `jitter`, so probes do not align. */
  nextDelay(): number {
    const { intervalMs, jitter } = this.#config;
    return Math.max(0, Math.round(intervalMs * (1 + jitter * (2 * this.#random() - 1))));
  }

  #expected(status: number): boolean {
    for (const range of this.#config.expectStatus) {
      if (status >= range.min && status <= range.max) return true;
    }
    return false;
  }

  #apply(target: Target, ok: boolean, result: string): void {
    const { backend } = target;
    target.lastCheckAt = this.#clock.now();
    target.lastResult = result;
    if (ok) {
      target.failures = 0;
      target.successes++;
      if (!backend.activeUp && target.successes >= this.#config.healthyThreshold)
        this.#set(backend, true, result);
    } else {
      target.successes = 0;
      target.failures++;
      if (backend.activeUp && target.failures >= this.#config.unhealthyThreshold) {
        this.#set(backend, false, result);
      }
    }
  }

  #set(backend: Backend, up: boolean, reason: string): void {
    if (up) downByChecker.delete(backend);
    else downByChecker.add(backend);
    this.#pool.setActiveStatus(backend, up);
    const event: HealthTransition = { backend, up, reason };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch {
        // A telemetry or logging hook must not stop health checking.
      }
    }
  }

  #schedule(target: Target, delayMs: number): void {
    if (target.timer !== undefined) this.#scheduler.clearTimeout(target.timer);
    target.timer = this.#scheduler.setTimeout(() => void this.#tick(target), delayMs);
  }

  async #tick(target: Target): Promise<void> {
    target.timer = undefined;
    if (!this.#current(target)) return;
    try {
      await this.checkOnce(target.backend);
    } catch {
      // checkOnce only throws for a backend that left the pool; the check below handles it.
    }
    // The next probe is timed from the end of this one, so a slow backend is never probed twice at once.
    if (this.#current(target) && target.timer === undefined) this.#schedule(target, this.nextDelay());
  }

  #current(target: Target): boolean {
    return this.#running && this.#targets.get(target.backend) === target;
  }

  #cancel(target: Target): void {
    if (target.timer !== undefined) this.#scheduler.clearTimeout(target.timer);
    target.timer = undefined;
    target.probing?.abort();
    target.probing = undefined;
  }
}
