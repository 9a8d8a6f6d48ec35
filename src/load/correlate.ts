/**
 * traceway's own view of each step, from Prometheus: per backend, the requests it was sent, their
 * errors and upstream p99, the retries and the passive-health ejections, over the step's window.
 * This is what tells which backend made the knee.
 */
import { setTimeout as delay } from "node:timers/promises";
import { LoadInputError } from "./input-error.ts";
import { instantQuery, type PromSeries } from "./prometheus-api.ts";
import {
  BACKEND_LABEL,
  newestSampleQuery,
  seriesCountQuery,
  UPSTREAM_LABEL,
  windowQueries,
} from "./promql.ts";
import type { BackendWindow, PrometheusOptions, PrometheusWindow, StepResult } from "./types.ts";

/** Longest wait for Prometheus to scrape past the last step (a 15 s default scrape interval, twice, plus slack). */
const SCRAPE_WAIT_MS = 45_000;
const POLL_MS = 250;

/** Start-up check: Prometheus answers and the matchers parse; returns how many series they select. */
export async function checkPrometheus(options: PrometheusOptions): Promise<number> {
  try {
    const result = await instantQuery(options.url, seriesCountQuery(options.match), Date.now() / 1000);
    return result[0]?.value ?? 0;
  } catch (error) {
    const what = options.match === "" ? "" : ` with --prometheus-match ${JSON.stringify(options.match)}`;
    throw new LoadInputError(`--prometheus ${options.url}${what}: ${(error as Error).message}`);
  }
}

/** Waits until Prometheus holds a scrape at or after `endMs`; false when it never did (no series, or a deadline). */
export async function waitForScrape(
  options: PrometheusOptions,
  endMs: number,
  deadlineMs = SCRAPE_WAIT_MS,
): Promise<boolean> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    const [newest] = await instantQuery(
      options.url,
      newestSampleQuery(options.match),
      Date.now() / 1000,
    ).catch(() => []);
    if (newest !== undefined && newest.value * 1000 >= endMs) return true;
    if (Date.now() >= deadline) return false;
    await delay(POLL_MS);
  }
}

/** Fills `step.prometheus` for every step. */
export async function correlate(options: PrometheusOptions, steps: readonly StepResult[]): Promise<void> {
  for (const step of steps) step.prometheus = await prometheusWindow(options, step.startedAt, step.endedAt);
}

interface RowDraft {
  upstream: string;
  backend: string;
  requests?: number;
  errors?: number;
  p99Ms?: number;
  retries?: number;
  ejections?: number;
}

/** traceway's per-backend view of the window [startedAt, endedAt] (epoch ms). */
export async function prometheusWindow(
  options: PrometheusOptions,
  startedAt: number,
  endedAt: number,
): Promise<PrometheusWindow> {
  const queries = windowQueries(options.match, endedAt - startedAt);
  const errors: string[] = [];
  const run = async (expr: string): Promise<PromSeries[]> => {
    try {
      return await instantQuery(options.url, expr, endedAt / 1000);
    } catch (error) {
      errors.push(`${(error as Error).message} in ${expr}`);
      return [];
    }
  };
  const scrapeAt = async (ms: number): Promise<number | undefined> => {
    const [newest] = await instantQuery(options.url, newestSampleQuery(options.match), ms / 1000).catch(
      () => [],
    );
    return newest === undefined ? undefined : Math.round(newest.value * 1000);
  };
  const [scrapedFrom, scrapedTo, requests, failed, p99, retries, ejections] = await Promise.all([
    scrapeAt(startedAt),
    scrapeAt(endedAt),
    run(queries.requests),
    run(queries.errors),
    run(queries.p99Seconds),
    run(queries.retries),
    run(queries.ejections),
  ]);
  const rows = new Map<string, RowDraft>();
  const rowOf = (s: PromSeries): RowDraft => {
    const upstream = s.labels[UPSTREAM_LABEL] ?? "";
    const backend = s.labels[BACKEND_LABEL] ?? "";
    const key = `${upstream}\u0000${backend}`;
    let row = rows.get(key);
    if (row === undefined) rows.set(key, (row = { upstream, backend }));
    return row;
  };
  for (const s of requests) rowOf(s).requests = Math.round(s.value);
  for (const s of failed) rowOf(s).errors = Math.round(s.value);
  for (const s of p99) if (Number.isFinite(s.value)) rowOf(s).p99Ms = s.value * 1000;
  for (const s of retries) rowOf(s).retries = Math.round(s.value);
  for (const s of ejections) rowOf(s).ejections = Math.round(s.value);
  const backends: BackendWindow[] = [...rows.values()]
    .map((r) => ({
      upstream: r.upstream,
      backend: r.backend,
      requests: r.requests ?? 0,
      errors: r.errors ?? 0,
      p99Ms: r.p99Ms,
      retries: r.retries ?? 0,
      ejections: r.ejections ?? 0,
    }))
    .filter((r) => r.requests > 0 || r.retries > 0 || r.ejections > 0)
    .sort((a, b) => a.upstream.localeCompare(b.upstream) || a.backend.localeCompare(b.backend));
  return { backends, errors, scrapedFrom, scrapedTo };
}
