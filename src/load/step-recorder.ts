/**
 * What one worker measured in one step: latencies into an HDR histogram (and into a second one
 * that is shipped and emptied at every progress snapshot), statuses, errors and window counts.
 */
import { newHistogram, type Histogram } from "./latency-histogram.ts";
import { emptyCounts, type StepCounts } from "./worker-protocol.ts";
import type { StatusRange } from "./types.ts";

export class StepRecorder {
  readonly counts: StepCounts = emptyCounts();
  readonly histogram: Histogram = newHistogram();
  /** Latencies since the last snapshot. */
  interval: Histogram = newHistogram();
  readonly statuses = new Map<number, number>();
  readonly errorKinds = new Map<string, number>();
  /** performance.now() of the window's end in this thread. */
  readonly windowEnd: number;
  readonly #expect: readonly StatusRange[];

  constructor(expect: readonly StatusRange[], windowEnd: number) {
    this.#expect = expect;
    this.windowEnd = windowEnd;
  }

  /** A request was started (closed model) or became due (open model). */
  started(now: number, sent: boolean): void {
    this.counts.started++;
    if (sent && now <= this.windowEnd) this.counts.sentInWindow++;
  }

  /** A queued request was written to a connection. */
  sent(now: number): void {
    if (now <= this.windowEnd) this.counts.sentInWindow++;
  }

  /** A request ended: a response (`status` > 0) or a transport error. `startedAt` and `now` in ms. */
  finished(startedAt: number, now: number, status: number, error: string | undefined): void {
    this.counts.finished++;
    if (error !== undefined) {
      this.counts.errors++;
      bump(this.errorKinds, error);
      return;
    }
    // Microseconds; a sub-microsecond loopback answer still counts as the smallest bucket, not as 0.
    const latencyUs = Math.max(1, Math.round((now - startedAt) * 1000));
    this.histogram.recordValue(latencyUs);
    this.interval.recordValue(latencyUs);
    if (now <= this.windowEnd) this.counts.completedInWindow++;
    bump(this.statuses, status);
    if (!this.#expected(status)) {
      this.counts.errors++;
      bump(this.errorKinds, `HTTP ${status}`);
    }
  }

  #expected(status: number): boolean {
    for (const range of this.#expect) if (status >= range.min && status <= range.max) return true;
    return false;
  }
}

function bump<K>(map: Map<K, number>, key: K): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
