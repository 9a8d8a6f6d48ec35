import type { Backend } from "../pool/backend.ts";
import { LatencySummary } from "../pool/latency-summary.ts";

/** Seconds the backends' rings cover for sure: within this, an interval's min and max are known. */
const RING_SECONDS = 60;

/**
 * Measures the canary's traffic interval by interval: each reading is the difference of the
 * backends' cumulative totals since the last one, summed over the canary's backends (so a backend
 * that joins mid-interval counts from zero, one that leaves takes its last seconds with it). For
 * intervals the per-second rings still cover, the fastest and slowest request come from them,
 * so quantiles are clamped to what was actually seen.
 */
export class IntervalMeter {
  #marks = new Map<Backend, LatencySummary>();
  #fromSecond = 0;

  /** Starts a new interval now. */
  restart(backends: readonly Backend[], nowMs: number): void {
    this.#marks = new Map(backends.map((b) => [b, b.stats.totals()]));
    this.#fromSecond = Math.floor(nowMs / 1000);
  }

  /** What the backends served since the interval started; a new interval starts now. */
  take(backends: readonly Backend[], nowMs: number): LatencySummary {
    const summary = new LatencySummary();
    const nowSecond = Math.floor(nowMs / 1000);
    const clamped = nowSecond - this.#fromSecond < RING_SECONDS;
    const marks = new Map<Backend, LatencySummary>();
    for (const backend of backends) {
      const totals = backend.stats.totals();
      marks.set(backend, totals);
      const before = this.#marks.get(backend);
      summary.add(before ? totals.minus(before) : totals.minus(new LatencySummary()));
      if (clamped) {
        const seen = backend.stats.between(this.#fromSecond, nowSecond + 1);
        summary.minMs = Math.min(summary.minMs, seen.minMs);
        summary.maxMs = Math.max(summary.maxMs, seen.maxMs);
      }
    }
    this.#marks = marks;
    this.#fromSecond = nowSecond;
    return summary;
  }
}
