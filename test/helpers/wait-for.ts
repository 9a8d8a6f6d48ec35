import { setTimeout as delay } from "node:timers/promises";

/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** Give up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Pause between checks (default 100). */
  intervalMs?: number;
  /** What is being waited for, named in the error on deadline ("consumer group g to reach lag 0"). */
  what: string;
}

/**
 * Polls `check` until it returns a value other than `undefined`/`false`, and returns that value.
 * A check that throws counts as "not yet"; its last error is quoted when the deadline passes, so a
 * failing test says what it waited for and what it saw last instead of timing out silently.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitForOptions,
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const intervalMs = options.intervalMs ?? 100;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const seen = lastError === undefined ? "" : `; last error: ${describe(lastError)}`;
      throw new Error(
        `timed out after ${timeoutMs} ms (${attempts} checks) waiting for ${options.what}${seen}`,
      );
    }
    await delay(intervalMs);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
