import { randomBytes } from "node:crypto";
import type { CanaryConfig } from "../config/types.ts";
import type { Scheduler } from "../health/scheduler.ts";
import type { Clock } from "../shared/clock.ts";
import type { UpstreamSide } from "../upstream/canary-split.ts";
import type { ControlCommand } from "../upstream/control-commands.ts";
import { judge, type MetricReading } from "./analysis.ts";
import {
  afterAction,
  afterAnalysis,
  freshRecord,
  isAnalysing,
  resumed,
  shareOf,
  type CanaryAction,
} from "./canary-run.ts";
import type { AnalysisView, CanaryView, TransitionView } from "./canary-view.ts";
import { IntervalMeter } from "./interval-meter.ts";
import { queryPrometheus, renderQuery } from "./prometheus-query.ts";
import type { CanaryRecord, CanaryStateStore } from "./state-store.ts";

/** What a canary reports: transitions and analyses (logs, metrics, the event stream), store trouble. */
export interface CanaryEvents {
  onTransition(event: TransitionView & { readonly upstream: string }): void;
  onAnalysis(
    event: AnalysisView & {
      readonly upstream: string;
      readonly failures: number;
      readonly idleIntervals: number;
    },
  ): void;
  onStoreError(event: { readonly upstream: string; readonly store: string; readonly error: unknown }): void;
}

export interface CanaryControllerDeps {
  /** Monotonic time: the backends' windows are recorded on it. */
  readonly clock: Clock;
  /** Wall-clock milliseconds, for the times the API and the record show. */
  readonly now: () => number;
  readonly scheduler: Scheduler;
  readonly events: CanaryEvents;
  /** Carries a decision to the data path (the `canary.split` command). */
  readonly execute: (command: ControlCommand) => void;
  /** The upstream's canary side as it is now (a reload replaces it). */
  readonly side: () => UpstreamSide | undefined;
  readonly store: CanaryStateStore | undefined;
  readonly query?: typeof queryPrometheus;
}

/**
 * Runs one canary: every `interval` it measures the canary's traffic, judges it, moves the run
 * (canary-run.ts) and sets the split's share through a command; operators act on it through
 * {@link act}. Its record goes to the state store after every change, and {@link start} resumes a
 * stored run of the same canary set at the step it had reached.
 */
export class CanaryController {
  readonly upstream: string;
  readonly runKey: string;
  #config: CanaryConfig;
  #record: CanaryRecord;
  readonly #deps: CanaryControllerDeps;
  readonly #meter = new IntervalMeter();
  #timer: unknown;
  #nextAt: number | undefined;
  /** Bumped on every change: an analysis that awaited a query drops its result if the run moved meanwhile. */
  #version = 0;
  #stopped = false;
  #saving: Promise<void> = Promise.resolve();

  constructor(upstream: string, runKey: string, config: CanaryConfig, deps: CanaryControllerDeps) {
    this.upstream = upstream;
    this.runKey = runKey;
    this.#config = config;
    this.#deps = deps;
    this.#record = freshRecord(upstream, runKey, newRunTag(), config, this.#iso(), "config");
  }

  /** Loads a stored run of this canary set (or starts a fresh one), applies its share, starts analysing. */
  async start(): Promise<void> {
    const { store } = this.#deps;
    const stored = store ? await this.#load(store) : undefined;
    if (this.#stopped) return;
    if (stored?.runKey === this.runKey && store) {
      this.#record = resumed(stored, this.#config, this.#iso(), store.description);
    }
    this.#deps.events.onTransition({ upstream: this.upstream, ...this.#record.transitions[0]! });
    this.#changed();
  }

  /** New settings of the same canary set (a reload): thresholds, steps, interval, stickiness. */
  reconfigure(config: CanaryConfig): void {
    const intervalChanged = config.intervalMs !== this.#config.intervalMs;
    this.#config = config;
    this.#record = { ...this.#record, step: Math.min(this.#record.step, config.steps.length - 1) };
    this.#applyShare();
    if (intervalChanged) this.#schedule();
  }

  /** An operator's action; throws `CANARY_CONFLICT` (and changes nothing) when the phase forbids it. */
  act(action: CanaryAction, who: string): CanaryView {
    const before = this.#record;
    this.#record = afterAction(before, action, who, this.#config, this.#iso(), newRunTag());
    this.#deps.events.onTransition({ upstream: this.upstream, ...this.#record.transitions[0]! });
    this.#changed();
    return this.view();
  }

  view(): CanaryView {
    const r = this.#record;
    const c = this.#config;
    return {
      upstream: this.upstream,
      phase: r.phase,
      step: r.step,
      steps: c.steps,
      share: shareOf(r, c.steps),
      selector: c.select ?? null,
      intervalMs: c.intervalMs,
      failures: r.failures,
      failureLimit: c.failureLimit,
      idleIntervals: r.idleIntervals,
      maxIdleIntervals: c.analysis.maxIdleIntervals,
      thresholds: {
        maxP99Ms: c.analysis.maxP99Ms,
        maxErrorRate: c.analysis.maxErrorRate,
        minRequests: c.analysis.minRequests,
      },
      stickiness: c.stickiness ?? null,
      header: c.header ?? null,
      confirmPromotion: c.confirmPromotion,
      nextAnalysisAt: this.#nextAt === undefined ? null : new Date(this.#nextAt).toISOString(),
      startedAt: r.startedAt,
      updatedAt: r.updatedAt,
      reason: r.reason,
      analyses: r.analyses,
      transitions: r.transitions,
    };
  }

  /** Stops analysing and waits for the last save; the split keeps its share until the upstream goes. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#cancelTimer();
    await this.#saving;
    await this.#deps.store?.close().catch(() => {});
  }

  /** After any change of the record: share, timer, store. */
  #changed(): void {
    this.#version++;
    this.#applyShare();
    this.#schedule();
    this.#save();
  }

  #applyShare(): void {
    const share = shareOf(this.#record, this.#config.steps);
    this.#deps.execute({ kind: "canary.split", upstream: this.upstream, share, runTag: this.#record.runTag });
  }

  /** A fresh interval from now while the phase analyses; no timer otherwise. */
  #schedule(): void {
    this.#cancelTimer();
    if (this.#stopped || !isAnalysing(this.#record.phase)) return;
    const { clock, scheduler, now } = this.#deps;
    this.#meter.restart(this.#deps.side()?.pool.backends ?? [], clock.now());
    this.#nextAt = now() + this.#config.intervalMs;
    this.#timer = scheduler.setTimeout(() => void this.#analyse(), this.#config.intervalMs);
  }

  #cancelTimer(): void {
    if (this.#timer !== undefined) this.#deps.scheduler.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#nextAt = undefined;
  }

  /** The end of an interval: measure, query, judge, move. */
  async #analyse(): Promise<void> {
    this.#timer = undefined;
    const version = this.#version;
    const backends = this.#deps.side()?.pool.backends ?? [];
    const summary = this.#meter.take(backends, this.#deps.clock.now());
    const metrics = await this.#queryMetrics(backends.map((b) => b.label));
    if (this.#stopped || version !== this.#version) return;
    const { verdict, checks, reason } = judge(summary, metrics, this.#config.analysis);
    const r = this.#record;
    const analysis: AnalysisView = {
      at: this.#iso(),
      step: r.step,
      share: shareOf(r, this.#config.steps),
      verdict,
      requests: summary.requests,
      errors: summary.errors,
      errorRate: summary.errorRate(),
      p99Ms: summary.quantile(0.99),
      checks,
      reason,
    };
    this.#record = afterAnalysis(r, analysis, this.#config, analysis.at);
    const next = this.#record;
    this.#deps.events.onAnalysis({
      upstream: this.upstream,
      ...analysis,
      failures: next.failures,
      idleIntervals: next.idleIntervals,
    });
    if (next.transitions !== r.transitions) {
      this.#deps.events.onTransition({ upstream: this.upstream, ...next.transitions[0]! });
      this.#changed();
    } else {
      // Same phase and step: the next interval continues from this reading.
      this.#version++;
      this.#save();
      this.#nextAt = this.#deps.now() + this.#config.intervalMs;
      this.#timer = this.#deps.scheduler.setTimeout(() => void this.#analyse(), this.#config.intervalMs);
    }
  }

  /** Each configured Prometheus metric for the interval; a failed query is a reading without a value. */
  async #queryMetrics(backends: readonly string[]): Promise<MetricReading[]> {
    const { metrics, prometheus } = this.#config.analysis;
    if (metrics.length === 0 || prometheus === undefined) return [];
    const query = this.#deps.query ?? queryPrometheus;
    const vars = { upstream: this.upstream, backends, intervalMs: this.#config.intervalMs };
    return Promise.all(
      metrics.map(async (m): Promise<MetricReading> => {
        const base = { name: m.name, min: m.min, max: m.max };
        try {
          return {
            ...base,
            value: await query(prometheus.url, renderQuery(m.query, vars), prometheus.timeoutMs),
          };
        } catch (error) {
          return { ...base, value: null, error: (error as Error).message };
        }
      }),
    );
  }

  async #load(store: CanaryStateStore): Promise<CanaryRecord | undefined> {
    try {
      return await store.load();
    } catch (error) {
      this.#deps.events.onStoreError({ upstream: this.upstream, store: store.description, error });
      return undefined;
    }
  }

  /** Saves the record as it is now, after any save still running (saves never overtake each other). */
  #save(): void {
    const { store } = this.#deps;
    if (!store) return;
    const record = this.#record;
    this.#saving = this.#saving.then(() =>
      store.save(record).catch((error: unknown) => {
        this.#deps.events.onStoreError({ upstream: this.upstream, store: store.description, error });
      }),
    );
  }

  #iso(): string {
    return new Date(this.#deps.now()).toISOString();
  }
}

/** Names a run in stickiness cookies: clients placed by an earlier run are placed again. */
function newRunTag(): string {
  return randomBytes(4).toString("hex");
}
