/**
 * Upper bounds (ms) of the latency buckets the per-backend windows count in; one more bucket holds
 * everything slower. Dense around 1-3 s, where canary p99 thresholds usually sit, so a p99 near a
 * 2 s threshold is placed within half a second before the min/max clamp narrows it further.
 */
export const LATENCY_BOUNDS_MS: readonly number[] = Object.freeze([
  5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 2500, 3000, 5000, 10_000, 30_000,
]);

/** Buckets per histogram: one per bound, plus the overflow bucket. */
export const BUCKETS = LATENCY_BOUNDS_MS.length + 1;

/** Index of the bucket `latencyMs` falls in (`le` semantics: a value equal to a bound is in it). */
export function bucketOf(latencyMs: number): number {
  // Binary search over 20 bounds: 5 comparisons.
  let lo = 0;
  let hi = LATENCY_BOUNDS_MS.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (latencyMs <= LATENCY_BOUNDS_MS[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Counts over some time range: requests, errors, a latency histogram and the fastest and slowest
 * request. Summaries merge by adding (min/max by taking the extreme), so windows recorded by
 * several processes, or by several backends of one canary, combine into one.
 */
export class LatencySummary {
  requests = 0;
  errors = 0;
  /** Sum of latencies, for the mean. */
  sumMs = 0;
  minMs = Infinity;
  maxMs = -Infinity;
  readonly buckets: Float64Array;

  constructor(buckets: Float64Array = new Float64Array(BUCKETS)) {
    this.buckets = buckets;
  }

  /** Adds `other` into this summary; returns this. */
  add(other: LatencySummary): this {
    this.requests += other.requests;
    this.errors += other.errors;
    this.sumMs += other.sumMs;
    if (other.minMs < this.minMs) this.minMs = other.minMs;
    if (other.maxMs > this.maxMs) this.maxMs = other.maxMs;
    for (let i = 0; i < BUCKETS; i++) this.buckets[i]! += other.buckets[i]!;
    return this;
  }

  /** `errors / requests`, or null without requests. */
  errorRate(): number | null {
    return this.requests === 0 ? null : this.errors / this.requests;
  }

  /**
   * The `q` quantile (0..1) in ms, or null without requests: linear interpolation inside the bucket
   * the rank falls in (as Prometheus' histogram_quantile does), clamped to the observed min and max
   * so a set of 2.5 s responses reads 2.5 s, not the bucket's upper bound.
   */
  quantile(q: number): number | null {
    let total = 0;
    for (let i = 0; i < BUCKETS; i++) total += this.buckets[i]!;
    if (total === 0) return null;
    const rank = q * total;
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const n = this.buckets[i]!;
      if (n > 0 && seen + n >= rank) {
        const lower = i === 0 ? 0 : LATENCY_BOUNDS_MS[i - 1]!;
        const upper = i < LATENCY_BOUNDS_MS.length ? LATENCY_BOUNDS_MS[i]! : lower;
        const estimate = lower + (upper - lower) * ((rank - seen) / n);
        return clamp(estimate, this.minMs, this.maxMs);
      }
      seen += n;
    }
    return clamp(LATENCY_BOUNDS_MS.at(-1)!, this.minMs, this.maxMs);
  }

  /** A copy (counts are not shared). */
  clone(): LatencySummary {
    return new LatencySummary().add(this);
  }

  /**
   * `this − earlier` for counts and buckets: what happened between two readings of a cumulative
   * summary. Min and max cannot be subtracted; the result has none (quantiles are then unclamped)
   * unless the caller sets them.
   */
  minus(earlier: LatencySummary): LatencySummary {
    const d = new LatencySummary();
    d.requests = this.requests - earlier.requests;
    d.errors = this.errors - earlier.errors;
    d.sumMs = this.sumMs - earlier.sumMs;
    for (let i = 0; i < BUCKETS; i++) d.buckets[i] = this.buckets[i]! - earlier.buckets[i]!;
    return d;
  }
}

function clamp(value: number, min: number, max: number): number {
  if (min > max) return value; // no min/max known
  return Math.min(max, Math.max(min, value));
}
