import type { BodyPath } from "./bodies.ts";
import { treeCpuSeconds, treeInvoluntarySwitches } from "./proc.ts";
import type { Progress } from "./progress.ts";
import { runtimeWindow, scrape } from "./runtime-profile.ts";
import type { RuntimeWindow } from "./runtime-profile.ts";
import { median, spreadPercent } from "./stats.ts";
import { deadReason } from "./target.ts";
import type { Target } from "./target.ts";
import { runWrk } from "./wrk.ts";
import type { WrkResult } from "./wrk.ts";

/** wrk threads: one per core of the 2-core reference machine; the proxies get what is left. */
export const WRK_THREADS = 2;

export interface Scenario {
  readonly name: string;
  readonly path: BodyPath;
  readonly connections: number;
}

export interface Timing {
  readonly rounds: number;
  readonly durationS: number;
  readonly warmupS: number;
}

/** The medians over the rounds of one target in one scenario. */
export interface ScenarioRow {
  readonly target: string;
  readonly rounds: number;
  readonly rps: number;
  readonly rpsSpreadPct: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly p999Ms: number;
  /**
   * Median over the rounds of the target's CPU time (its process tree, user + system) per
   * request: what a request costs the proxy, steadier than req/s when the machine is shared.
   */
  readonly cpuMicrosPerRequest: number;
  /**
   * Median over the rounds of the times the kernel preempted one of the target's threads (its
   * process tree's involuntary context switches), per 1000 requests.
   */
  readonly preemptionsPerKRequests: number;
  /** Summed over all rounds (not the warm-up). */
  readonly socketErrors: number;
  readonly httpErrors: number;
  readonly requests: number;
  /** Each kept round's req/s and CPU µs/req, by round number: rows are paired round by round. */
  readonly byRound: readonly RoundResult[];
  /** Set when the target could not run (start failure, crash, wrk failure). */
  readonly failure?: string;
  /** traceway targets with metrics: their runtime figures over the rounds (medians; max for the worst cases). */
  readonly runtime?: RuntimeWindow;
}

export interface RoundResult {
  readonly round: number;
  readonly rps: number;
  readonly cpuMicrosPerRequest: number;
}

export interface ScenarioResult {
  readonly scenario: Scenario;
  readonly rows: readonly ScenarioRow[];
}

/** Round r starts at target r mod n, so no target is always the one right after a heavy neighbour. */
export function rotation<T>(items: readonly T[], round: number): T[] {
  if (items.length === 0) return [];
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}

/** One wrk run and the CPU the target spent during it. */
interface Measured extends WrkResult {
  readonly cpuMicrosPerRequest: number;
  readonly preemptionsPerKRequests: number;
  readonly round: number;
  readonly runtime?: RuntimeWindow;
}

/**
 * Over the rounds that have each figure: the median, except the two worst-case figures, which
 * take the worst round (a median of bucket edges would not be an edge).
 */
function roundsRuntime(windows: readonly RuntimeWindow[]): RuntimeWindow | undefined {
  if (windows.length === 0) return undefined;
  const values = (f: (w: RuntimeWindow) => number): number[] =>
    windows.map(f).filter((v) => !Number.isNaN(v));
  const pick = (f: (w: RuntimeWindow) => number): number => median(values(f));
  const worst = (f: (w: RuntimeWindow) => number): number => {
    const found = values(f);
    return found.length === 0 ? Number.NaN : Math.max(...found);
  };
  return {
    eventLoopUtilization: pick((w) => w.eventLoopUtilization),
    eventLoopDelayP99Ms: pick((w) => w.eventLoopDelayP99Ms),
    eventLoopDelayMaxMs: worst((w) => w.eventLoopDelayMaxMs),
    gcShare: pick((w) => w.gcShare),
    gcPausesPerKRequests: pick((w) => w.gcPausesPerKRequests),
    gcLongestPauseAtMostMs: worst((w) => w.gcLongestPauseAtMostMs),
  };
}

function summarise(target: string, results: readonly Measured[], failure?: string): ScenarioRow {
  const pick = (f: (r: Measured) => number): number => median(results.map(f));
  const row = {
    target,
    rounds: results.length,
    rps: pick((r) => r.rps),
    rpsSpreadPct: spreadPercent(results.map((r) => r.rps)),
    p50Ms: pick((r) => r.p50Ms),
    p99Ms: pick((r) => r.p99Ms),
    p999Ms: pick((r) => r.p999Ms),
    cpuMicrosPerRequest: pick((r) => r.cpuMicrosPerRequest),
    preemptionsPerKRequests: pick((r) => r.preemptionsPerKRequests),
    socketErrors: results.reduce((s, r) => s + r.socketErrors, 0),
    httpErrors: results.reduce((s, r) => s + r.httpErrors, 0),
    requests: results.reduce((s, r) => s + r.requests, 0),
    byRound: results.map((r) => ({ round: r.round, rps: r.rps, cpuMicrosPerRequest: r.cpuMicrosPerRequest })),
  };
  const runtime = roundsRuntime(results.flatMap((r) => (r.runtime === undefined ? [] : [r.runtime])));
  const withRuntime = runtime === undefined ? row : { ...row, runtime };
  return failure === undefined ? withRuntime : { ...withRuntime, failure };
}

/**
 * One scenario over all targets: a discarded warm-up run per target (JIT, pools filled), then
 * `rounds` short runs per target interleaved round-robin, so slow drift of the machine (thermal,
 * other tenants) hits every target alike and the medians' ratios stay meaningful.
 */
export async function runScenario(
  scenario: Scenario,
  targets: readonly Target[],
  timing: Timing,
  progress: Progress,
  label: string,
): Promise<ScenarioResult> {
  const results = new Map<string, Measured[]>(targets.map((t) => [t.name, []]));
  const failures = new Map<string, string>();
  const usable = (t: Target): boolean => !failures.has(t.name) && deadReason(t) === undefined;
  const options = (t: Target, durationS: number) => ({
    url: `${t.url}${scenario.path}`,
    connections: scenario.connections,
    threads: WRK_THREADS,
    durationS,
  });
  const attempt = async (t: Target, durationS: number, round: number | undefined): Promise<void> => {
    try {
      const pid = t.child?.pid;
      // Runtime scrapes outside the CPU window, so they cost the row nothing.
      const profiled = round !== undefined && t.kind === "traceway" ? t.metricsUrl : undefined;
      const before = profiled === undefined ? undefined : await scrape(profiled);
      const startedMs = performance.now();
      const cpuBefore = pid === undefined ? undefined : treeCpuSeconds(pid);
      const switchesBefore = pid === undefined ? undefined : treeInvoluntarySwitches(pid);
      const result = await runWrk(options(t, durationS));
      const cpuAfter = pid === undefined ? undefined : treeCpuSeconds(pid);
      const switchesAfter = pid === undefined ? undefined : treeInvoluntarySwitches(pid);
      const after = profiled === undefined ? undefined : await scrape(profiled);
      const wallS = (performance.now() - startedMs) / 1000;
      const cpu = cpuBefore === undefined || cpuAfter === undefined ? NaN : cpuAfter - cpuBefore;
      const cpuMicrosPerRequest = result.requests > 0 ? (cpu * 1e6) / result.requests : NaN;
      const switches =
        switchesBefore === undefined || switchesAfter === undefined ? NaN : switchesAfter - switchesBefore;
      const preemptionsPerKRequests = result.requests > 0 ? (switches * 1000) / result.requests : NaN;
      const runtime =
        before === undefined || after === undefined
          ? undefined
          : runtimeWindow(before, after, wallS, result.requests);
      if (round !== undefined)
        results.get(t.name)!.push({
          ...result,
          cpuMicrosPerRequest,
          preemptionsPerKRequests,
          round,
          ...(runtime && { runtime }),
        });
    } catch (error) {
      failures.set(t.name, error instanceof Error ? error.message : String(error));
    }
  };

  for (const t of targets) {
    if (!usable(t)) continue;
    progress.update(`${label} ${scenario.name}: warm-up ${t.name}`);
    await attempt(t, timing.warmupS, undefined);
  }
  for (let round = 0; round < timing.rounds; round++) {
    for (const t of rotation(targets, round)) {
      if (!usable(t)) continue;
      progress.update(`${label} ${scenario.name}: round ${round + 1}/${timing.rounds} ${t.name}`);
      await attempt(t, timing.durationS, round);
    }
  }
  const rows = targets.map((t) => {
    const failure = failures.get(t.name) ?? deadReason(t);
    return summarise(t.name, results.get(t.name)!, failure);
  });
  return { scenario, rows };
}
