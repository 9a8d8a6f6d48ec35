import type { PartitionStatus } from "./types.ts";

/**
 * Every status, in order of severity. The `traceway.messaging.kafka.consumer_group.status` gauge
 * has one series per status (`traceway.kafka.lag.status`), 1 for the partition's current status
 * and 0 for the others, as kube-state-metrics publishes a pod's phase: an alert selects the
 * statuses it cares about instead of comparing numbers that stand for names.
 */
export const PARTITION_STATUSES: readonly PartitionStatus[] = Object.freeze(["OK", "WARN", "STALL", "STOP"]);

/** One poll's view of one partition of one group. */
export interface LagObservation {
  readonly atMs: number;
  readonly committedOffset: number | undefined;
  readonly lag: number;
}

export interface StatusRules {
  /** How many polls the WARN and STALL rules look back over. */
  readonly windowSize: number;
  /** Lag > 0 with the committed offset unchanged for this long is STOP. */
  readonly stopAfterMs: number;
}

/**
 * Burrow's evaluation rules, adapted to what the Kafka admin API can tell (committed offsets,
 * but not when they were committed):
 *
 * 1. OK if the lag was 0 at any poll in the window: the consumer caught up recently.
 * 2. STOP if the committed offset has not changed for `stopAfterMs` while lag > 0.
 * 3. STALL if the window is full and the committed offset did not move across it while lag > 0.
 * 4. WARN if the window is full, the offset moved, and the lag never decreased and grew overall:
 *    consuming, but falling behind.
 * 5. OK otherwise. Until the window is full only rules 1, 2 and 5 can apply.
 *
 * `unchangedSinceMs` is when the current committed offset was first observed, so STOP can only
 * be reported `stopAfterMs` after the monitor started.
 */
export function evaluatePartitionStatus(
  window: readonly LagObservation[],
  unchangedSinceMs: number,
  nowMs: number,
  rules: StatusRules,
): PartitionStatus {
  const first = window[0];
  const latest = window[window.length - 1];
  if (first === undefined || latest === undefined) return "OK";
  if (window.some((observation) => observation.lag === 0)) return "OK";
  if (nowMs - unchangedSinceMs >= rules.stopAfterMs) return "STOP";
  if (window.length < rules.windowSize || window.length < 2) return "OK";
  if (window.every((observation) => observation.committedOffset === first.committedOffset)) return "STALL";
  let neverDecreased = true;
  for (let i = 1; i < window.length && neverDecreased; i++) {
    neverDecreased = (window[i]?.lag ?? 0) >= (window[i - 1]?.lag ?? 0);
  }
  return neverDecreased && latest.lag > first.lag ? "WARN" : "OK";
}
