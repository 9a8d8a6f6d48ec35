/**
 * The monotonic clock every interceptor measures durations with. Inject one in the options
 * (`clock`) to drive time by hand in tests; the default reads `performance.now()`.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale; only differences between readings are meaningful. */
  now(): number;
}

export const systemClock: Clock = { now: () => performance.now() };
