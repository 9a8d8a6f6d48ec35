/**
 * Time and randomness are injected everywhere so that strategies and health checkers
 * can be tested with exact sequences and time-driven transitions, without sleeping.
 */

import type { Clock } from "../../interceptors/balancer-entry.ts";

/** Monotonic milliseconds: the interceptors' own `Clock`, so one clock drives both. */
export type { Clock };

/** Uniform float in [0, 1), like `Math.random`. */
export type Random = () => number;

export const systemClock: Clock = { now: () => performance.now() };

export const systemRandom: Random = Math.random;

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  #now: number;
  constructor(start = 0) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  advance(ms: number): void {
    this.#now += ms;
  }
}

/** Deterministic PRNG (mulberry32) so tests can assert exact pick sequences. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
