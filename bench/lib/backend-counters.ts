/**
 * Upstream attempts to `host:port` from a Prometheus text exposition: the sum of the `_count` of
 * every duration histogram whose labels mention it (traceway's `http_client_request_duration_seconds`, one
 * sample per attempt, successful or not). Counters of bytes, ejections or state changes would not
 * count attempts; health-check series are left out because they keep probing a dead backend.
 */
/** A duration histogram's count, with the unit suffix (`_seconds_count`) or without (older names). */
const DURATION_COUNT = /duration(_seconds)?_count$/;

export function sumBackendCounters(exposition: string, hostPort: string): number {
  let sum = 0;
  for (const line of exposition.split("\n")) {
    if (line.startsWith("#") || !line.includes(hostPort)) continue;
    const brace = line.indexOf("{");
    const name = brace === -1 ? "" : line.slice(0, brace);
    if (!DURATION_COUNT.test(name) || /health|check|probe/.test(name)) continue;
    const value = Number(
      line
        .slice(line.lastIndexOf("}") + 1)
        .trim()
        .split(" ")[0],
    );
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** A counter sum sampled at `t` ms after the backend was killed (negative: before). */
export interface CounterSample {
  readonly t: number;
  readonly sum: number;
}

export interface StopAnalysis {
  /** ms after the kill of the last increase before the counters stayed flat for `quietMs`. */
  readonly stoppedAfterMs: number | undefined;
  /** Increase from the kill to the end of the run (attempts sent to the dead backend). */
  readonly attemptsAfterKill: number;
}

/**
 * When did traffic to the dead backend stop? The last increase before the first quiet period of
 * `quietMs`, so a later re-probe (an ejection expiring) does not hide an early stop.
 */
export function analyseStop(samples: readonly CounterSample[], quietMs: number): StopAnalysis {
  const atKill = [...samples].reverse().find((s) => s.t <= 0)?.sum ?? samples[0]?.sum ?? 0;
  const after = samples.filter((s) => s.t > 0);
  const last = after.at(-1)?.sum ?? atKill;
  let lastIncrease = 0;
  let previous = atKill;
  let stoppedAfterMs: number | undefined;
  for (const sample of after) {
    if (sample.sum > previous) lastIncrease = sample.t;
    else if (sample.t - lastIncrease >= quietMs) {
      stoppedAfterMs = lastIncrease;
      break;
    }
    previous = sample.sum;
  }
  return { stoppedAfterMs, attemptsAfterKill: last - atKill };
}
