import { Agent, request } from "node:http";
import { setTimeout as delay } from "node:timers/promises";
import { analyseStop, sumBackendCounters } from "./backend-counters.ts";
import type { CounterSample } from "./backend-counters.ts";
import type { Backend } from "./backends.ts";
import type { Progress } from "./progress.ts";
import { WRK_THREADS } from "./scenarios.ts";
import { deadReason } from "./target.ts";
import type { Target } from "./target.ts";
import { runWrk } from "./wrk.ts";

const SCRAPE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 2000;
/** Counters flat this long after the kill count as "stopped sending". */
const QUIET_MS = 1000;
const CONNECTIONS = 50;

export interface FailoverRow {
  readonly target: string;
  readonly requests: number;
  /** wrk socket errors + responses ≥ 400 over the whole run. */
  readonly failed: number;
  /** Sequential probe requests that failed after the kill, and when the last one was. */
  readonly probeFailures: number;
  readonly lastProbeFailureMs?: number;
  /** From traceway's /metrics (see backend-counters.ts); undefined for targets without metrics. */
  readonly stoppedAfterMs?: number;
  readonly attemptsAfterKill?: number;
  readonly note?: string;
  readonly failure?: string;
}

function probeOnce(url: string, agent: Agent): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { agent, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode === 200));
      res.on("error", () => resolve(false));
    });
    req.on("timeout", () => req.destroy(new Error("timeout")));
    req.on("error", () => resolve(false));
    req.end();
  });
}

/**
 * Runs wrk against `target`, SIGKILLs backend 0 (master and worker: a crash, not a drain) a third
 * of the way in, and watches two things: a sequential client (when did clients stop seeing errors)
 * and, for traceway, its per-backend counters (when did it stop sending to the dead backend).
 */
export async function runFailover(
  target: Target,
  backends: readonly Backend[],
  kill: (backend: Backend) => Promise<void>,
  durationS: number,
  progress: Progress,
): Promise<FailoverRow> {
  const dead = deadReason(target);
  if (dead !== undefined)
    return { target: target.name, requests: 0, failed: 0, probeFailures: 0, failure: dead };
  const victim = backends[0]!;
  const hostPort = `127.0.0.1:${victim.port}`;
  const killAtMs = (durationS * 1000) / 3;
  const start = performance.now();
  const since = (): number => performance.now() - start - killAtMs;
  let running = true;

  const samples: CounterSample[] = [];
  let scrapeError: string | undefined;
  const scraper = (async () => {
    if (target.metricsUrl === undefined) return;
    while (running && since() < durationS * 1000) {
      try {
        const res = await fetch(target.metricsUrl, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        samples.push({ t: since(), sum: sumBackendCounters(await res.text(), hostPort) });
      } catch (error) {
        scrapeError ??= error instanceof Error ? error.message : String(error);
      }
      await delay(SCRAPE_EVERY_MS);
    }
  })();

  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const probeFailures: number[] = [];
  const prober = (async () => {
    while (running && since() < durationS * 1000) {
      const ok = await probeOnce(`${target.url}/small`, agent);
      if (!ok && since() > 0) probeFailures.push(since());
      await delay(5);
    }
  })();

  const killer = (async () => {
    await delay(killAtMs);
    progress.update(`failover ${target.name}: killing backend ${hostPort}`);
    await kill(victim);
  })();

  progress.update(`failover ${target.name}: ${durationS}s under wrk`);
  try {
    const wrk = await runWrk({
      url: `${target.url}/small`,
      connections: CONNECTIONS,
      threads: WRK_THREADS,
      durationS,
    });
    running = false;
    await Promise.all([scraper, prober, killer]);
    const stop = analyseStop(samples, QUIET_MS);
    const counted = samples.some((s) => s.sum > 0);
    const lastProbeFailureMs = probeFailures.at(-1);
    return {
      target: target.name,
      requests: wrk.requests,
      failed: wrk.socketErrors + wrk.httpErrors,
      probeFailures: probeFailures.length,
      ...(lastProbeFailureMs === undefined ? {} : { lastProbeFailureMs }),
      ...(counted && stop.stoppedAfterMs !== undefined ? { stoppedAfterMs: stop.stoppedAfterMs } : {}),
      ...(counted ? { attemptsAfterKill: stop.attemptsAfterKill } : {}),
      ...(target.metricsUrl === undefined
        ? {}
        : counted
          ? {}
          : { note: `no per-backend counters on /metrics${scrapeError ? ` (${scrapeError})` : ""}` }),
    };
  } catch (error) {
    running = false;
    await Promise.all([scraper, prober, killer]);
    return {
      target: target.name,
      requests: 0,
      failed: 0,
      probeFailures: probeFailures.length,
      failure: error instanceof Error ? error.message : String(error),
    };
  } finally {
    agent.destroy();
  }
}
