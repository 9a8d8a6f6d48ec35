/**
 * Where a traceway target's time goes during one wrk run, from its own runtime metrics
 * (src/telemetry/runtime-metrics.ts): one scrape before the run, one after. The event-loop delay
 * gauges are reset at every collection, so the second scrape's percentiles cover exactly the run;
 * the counters and the GC histogram are cumulative, so the run is their difference.
 */

/** One run's figures. NaN where the scrape lacked the series (e.g. no GC during the run). */
export interface RuntimeWindow {
  /** Share of the run the event loop was busy (0–1): 1 means every turn ran back to back. */
  readonly eventLoopUtilization: number;
  /** How late a 10 ms timer fired, p99 and worst over the run: the time one loop turn held it. */
  readonly eventLoopDelayP99Ms: number;
  readonly eventLoopDelayMaxMs: number;
  /** Share of the run's wall time spent in GC pauses (all kinds). */
  readonly gcShare: number;
  /** GC pauses per 1000 requests. */
  readonly gcPausesPerKRequests: number;
  /** The longest pause is at most this (the smallest GC bucket edge holding every pause), ms. */
  readonly gcLongestPauseAtMostMs: number;
}

interface Sample {
  readonly labels: string;
  readonly value: number;
}

/** The samples of one series name in a Prometheus text exposition (labels kept as their text). */
export function samples(text: string, name: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    const match = /^(?:\{(.*)\})? (\S+)/.exec(rest);
    if (match === null) continue; // a longer name that starts with this one
    out.push({ labels: match[1] ?? "", value: Number(match[2]) });
  }
  return out;
}

function sum(text: string, name: string, where: (labels: string) => boolean = () => true): number {
  const found = samples(text, name).filter((s) => where(s.labels));
  return found.length === 0 ? Number.NaN : found.reduce((acc, s) => acc + s.value, 0);
}

const stateIs =
  (state: string) =>
  (labels: string): boolean =>
    labels.includes(`nodejs_eventloop_state="${state}"`);

/** Bucket counts by edge (seconds), summed over GC kinds. */
function gcBuckets(text: string): Map<number, number> {
  const byEdge = new Map<number, number>();
  for (const { labels, value } of samples(text, "v8js_gc_duration_seconds_bucket")) {
    const le = /(?:^|,)le="([^"]+)"/.exec(labels)?.[1];
    if (le === undefined) continue;
    const edge = le === "+Inf" ? Number.POSITIVE_INFINITY : Number(le);
    byEdge.set(edge, (byEdge.get(edge) ?? 0) + value);
  }
  return byEdge;
}

function longestPauseAtMostMs(before: string, after: string, pauses: number): number {
  if (!(pauses > 0)) return Number.NaN;
  const was = gcBuckets(before);
  const edges = [...gcBuckets(after)].sort(([a], [b]) => a - b);
  for (const [edge, count] of edges) if (count - (was.get(edge) ?? 0) >= pauses) return edge * 1000;
  return Number.NaN;
}

/** The run between two scrapes `wallS` seconds apart that served `requests`. */
export function runtimeWindow(before: string, after: string, wallS: number, requests: number): RuntimeWindow {
  const delta = (name: string, where?: (labels: string) => boolean): number =>
    sum(after, name, where) - sum(before, name, where);
  const active = delta("nodejs_eventloop_time_seconds_total", stateIs("active"));
  const idle = delta("nodejs_eventloop_time_seconds_total", stateIs("idle"));
  const pauses = delta("v8js_gc_duration_seconds_count");
  return {
    eventLoopUtilization: active / (active + idle),
    eventLoopDelayP99Ms: sum(after, "nodejs_eventloop_delay_p99_seconds") * 1000,
    eventLoopDelayMaxMs: sum(after, "nodejs_eventloop_delay_max_seconds") * 1000,
    gcShare: delta("v8js_gc_duration_seconds_sum") / wallS,
    gcPausesPerKRequests: requests > 0 ? (pauses * 1000) / requests : Number.NaN,
    gcLongestPauseAtMostMs: longestPauseAtMostMs(before, after, pauses),
  };
}

/** The metrics text, or undefined when the scrape fails (the run's figures are then left out). */
export async function scrape(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}
