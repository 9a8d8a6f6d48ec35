import type { Random } from "../shared/clock.ts";

/** Capped exponential backoff: the n-th consecutive failure waits about `baseMs * 2^n`, at most `maxMs`. */
export interface BackoffOptions {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * Delays between reconnect attempts. "Equal jitter": half of each step is fixed and half random, so
 * many balancers that lost etcd together do not reconnect in step, and the delay never collapses to
 * zero (full jitter can, which is a hot loop in disguise while etcd is down).
 */
export class Backoff {
  readonly #options: BackoffOptions;
  readonly #random: Random;
  #failures = 0;

  constructor(options: BackoffOptions, random: Random) {
    this.#options = options;
    this.#random = random;
  }

  /** Consecutive failures since the last {@link reset}. */
  get failures(): number {
    return this.#failures;
  }

  /** Records a failure and returns how long to wait before the next attempt. */
  next(): number {
    const step = Math.min(this.#options.maxMs, this.#options.baseMs * 2 ** Math.min(this.#failures, 30));
    this.#failures += 1;
    return Math.round(step / 2 + (this.#random() * step) / 2);
  }

  /** The connection proved healthy: the next failure starts from the base delay again. */
  reset(): void {
    this.#failures = 0;
  }
}
