import type { Candidate } from "../pool/candidate.ts";

/**
 * Weighted sampling over `effectiveWeight` by cumulative sums and binary search: O(log n) per
 * draw, no allocation. The sums are rebuilt only when the candidate array changes (identity or
 * length); the pool hands out a new array whenever weights change (slow start included).
 */
export class WeightedSampler {
  #source: readonly Candidate[] | undefined;
  /** cumulative[i] = sum of the weights of candidates 0..i. */
  #cumulative = new Float64Array(0);
  #total = 0;

  /** Point the sampler at `candidates`; cheap when it is the array seen last time. */
  sync(candidates: readonly Candidate[]): void {
    if (candidates === this.#source && candidates.length === this.#cumulative.length) return;
    const cumulative = new Float64Array(candidates.length);
    let total = 0;
    for (let i = 0; i < candidates.length; i++) {
      total += candidates[i]!.effectiveWeight;
      cumulative[i] = total;
    }
    this.#source = candidates;
    this.#cumulative = cumulative;
    this.#total = total;
  }

  /** Index drawn with probability proportional to weight; `r` is uniform in [0, 1). */
  sample(r: number): number {
    return this.#search(r * this.#total);
  }

  /**
   * Index drawn with probability proportional to weight among all but `excluded`: the excluded
   * weight is cut out of the line the target falls on, so one draw suffices (no rejection loop).
   */
  sampleOther(excluded: number, r: number): number {
    const cumulative = this.#cumulative;
    const end = cumulative[excluded]!;
    const start = excluded > 0 ? cumulative[excluded - 1]! : 0;
    let target = r * (this.#total - (end - start));
    if (target >= start) target += end - start;
    const index = this.#search(target);
    // Float rounding can land exactly on the excluded slot; its neighbour is as good a draw.
    return index === excluded ? (excluded + 1) % cumulative.length : index;
  }

  /** First index whose cumulative sum exceeds `target`. */
  #search(target: number): number {
    const cumulative = this.#cumulative;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid]! > target) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }
}
