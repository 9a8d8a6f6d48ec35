import { fixed, ms, table } from "./format.ts";
import type { ScenarioResult } from "./scenarios.ts";

const percent = (share: number): string => (Number.isFinite(share) ? `${(share * 100).toFixed(1)}%` : "–");
const atMost = (edgeMs: number): string => (Number.isFinite(edgeMs) ? `≤ ${ms(edgeMs)}` : "–");

/**
 * Issue 14's "where the time goes at p99": for each traceway row with metrics, its own runtime
 * figures over the same rounds (bench/lib/runtime-profile.ts). A loop busy close to 100% with a
 * delay p99 near the request p99 says requests wait for their turn on a saturated loop; a large
 * GC share or a long pause says the collector holds them.
 */
export function runtimeSection(results: readonly ScenarioResult[]): string | undefined {
  const rows = results.flatMap(({ scenario, rows }) =>
    rows.flatMap((row) =>
      row.runtime === undefined
        ? []
        : [
            [
              scenario.name,
              row.target,
              ms(row.p99Ms),
              percent(row.runtime.eventLoopUtilization),
              ms(row.runtime.eventLoopDelayP99Ms),
              ms(row.runtime.eventLoopDelayMaxMs),
              percent(row.runtime.gcShare),
              fixed(row.runtime.gcPausesPerKRequests, 1),
              atMost(row.runtime.gcLongestPauseAtMostMs),
            ],
          ],
    ),
  );
  if (rows.length === 0) return undefined;
  return `## Where traceway's time goes (its runtime metrics over the same rounds)

${table(
  [
    "scenario",
    "target",
    "request p99 ms",
    "event loop busy",
    "loop delay p99 ms",
    "loop delay max ms",
    "GC share of wall time",
    "GC pauses / 1k req",
    "longest GC pause ms",
  ],
  rows,
)}

From a scrape of the target's \`/metrics\` before and after each measured run, outside its CPU window: event-loop utilization and GC time from the counters' differences, the loop delay (how late a 10 ms timer fired: how long one loop turn held everything behind it) from the gauges reset at each scrape, the longest pause as the smallest \`v8js_gc_duration_seconds\` bucket edge holding every pause of the run. Medians over the rounds, except the loop delay max and the longest pause: the worst round.`;
}
