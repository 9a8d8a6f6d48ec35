import { BUCKETS, bucketOf, LatencySummary } from "./latency-summary.ts";

/** Seconds the ring keeps: a power of two above 61, so "the last minute" is always in it. */
const SLOTS = 64;
const MASK = SLOTS - 1;
// Per slot: requests, errors, sum, min, max, then the buckets.
const REQUESTS = 0;
const ERRORS = 1;
const SUM = 2;
const MIN = 3;
const MAX = 4;
const HEAD = 5;
const WIDTH = HEAD + BUCKETS;

/**
 * What traceway measures per backend, with telemetry on or off: a ring of one-second slots (counts,
 * a fixed-bucket latency histogram, min and max) for "the last minute", and cumulative totals for
 * any longer span (a canary interval is the difference of two readings). Recording an attempt is a
 * bucket search and a few array increments; nothing allocates.
 *
 * Every reading is a {@link LatencySummary}, and summaries add: the windows of several processes
 * (workers) merge into one by {@link mergeFrom}, slot by slot.
 */
export class BackendStats {
  /** Which second each slot holds; a slot holding an older second is stale and reads as empty. */
  readonly #seconds = new Float64Array(SLOTS).fill(-1);
  readonly #slots = new Float64Array(SLOTS * WIDTH);
  readonly #total = new LatencySummary();

  /** One finished attempt: `latencyMs` to its response head or failure; `failed` for 5xx and transport errors. */
  record(nowMs: number, latencyMs: number, failed: boolean): void {
    const bucket = bucketOf(latencyMs);
    const error = failed ? 1 : 0;
    const base = this.#slotFor(Math.floor(nowMs / 1000));
    // base < 0 only for a clock that went backwards past the ring: the totals still count it.
    if (base >= 0) {
      const slots = this.#slots;
      slots[base + REQUESTS]!++;
      slots[base + ERRORS]! += error;
      slots[base + SUM]! += latencyMs;
      if (latencyMs < slots[base + MIN]!) slots[base + MIN] = latencyMs;
      if (latencyMs > slots[base + MAX]!) slots[base + MAX] = latencyMs;
      slots[base + HEAD + bucket]!++;
    }
    const total = this.#total;
    total.requests++;
    total.errors += error;
    total.sumMs += latencyMs;
    total.buckets[bucket]!++;
    if (latencyMs < total.minMs) total.minMs = latencyMs;
    if (latencyMs > total.maxMs) total.maxMs = latencyMs;
  }

  /** Everything recorded since this backend appeared (a copy). */
  totals(): LatencySummary {
    return this.#total.clone();
  }

  /**
   * The seconds `[fromSecond, toSecond)` (clock seconds, `floor(ms / 1000)`) that are still in the
   * ring, summed. Seconds older than the ring's 64 are gone and count as empty.
   */
  between(fromSecond: number, toSecond: number): LatencySummary {
    const out = new LatencySummary();
    const first = Math.max(fromSecond, toSecond - SLOTS);
    for (let s = first; s < toSecond; s++) {
      const i = s & MASK;
      if (this.#seconds[i] !== s) continue;
      const base = i * WIDTH;
      const slots = this.#slots;
      out.requests += slots[base + REQUESTS]!;
      out.errors += slots[base + ERRORS]!;
      out.sumMs += slots[base + SUM]!;
      if (slots[base + MIN]! < out.minMs) out.minMs = slots[base + MIN]!;
      if (slots[base + MAX]! > out.maxMs) out.maxMs = slots[base + MAX]!;
      for (let b = 0; b < BUCKETS; b++) out.buckets[b]! += slots[base + HEAD + b]!;
    }
    return out;
  }

  /** The last `seconds` whole seconds before `nowMs`, plus the current second when `includeCurrent`. */
  last(nowMs: number, seconds: number, includeCurrent: boolean): LatencySummary {
    const now = Math.floor(nowMs / 1000);
    const end = includeCurrent ? now + 1 : now;
    return this.between(end - seconds, end);
  }

  /**
   * Adds another window into this one, second by second, and its totals into these: how a primary
   * process combines what its workers measured for the same backend.
   */
  mergeFrom(other: BackendStats): void {
    for (let i = 0; i < SLOTS; i++) {
      const second = other.#seconds[i]!;
      if (second < 0) continue;
      const base = this.#slotFor(second);
      if (base < 0) continue;
      const from = i * WIDTH;
      const slots = this.#slots;
      const theirs = other.#slots;
      slots[base + REQUESTS]! += theirs[from + REQUESTS]!;
      slots[base + ERRORS]! += theirs[from + ERRORS]!;
      slots[base + SUM]! += theirs[from + SUM]!;
      slots[base + MIN] = Math.min(slots[base + MIN]!, theirs[from + MIN]!);
      slots[base + MAX] = Math.max(slots[base + MAX]!, theirs[from + MAX]!);
      for (let b = 0; b < BUCKETS; b++) slots[base + HEAD + b]! += theirs[from + HEAD + b]!;
    }
    this.#total.add(other.#total);
  }

  /**
   * Offset of the slot for `second`, cleared first if it held an older second; -1 when `second`
   * is older than what the slot holds (a late merge of a second already rotated out).
   */
  #slotFor(second: number): number {
    const i = second & MASK;
    const base = i * WIDTH;
    const held = this.#seconds[i]!;
    if (held === second) return base;
    if (held > second) return -1;
    this.#seconds[i] = second;
    this.#slots.fill(0, base, base + WIDTH);
    this.#slots[base + MIN] = Infinity;
    this.#slots[base + MAX] = -Infinity;
    return base;
  }
}
