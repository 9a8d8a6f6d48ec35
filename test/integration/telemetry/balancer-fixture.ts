import { randomUUID } from "node:crypto";
import { Agent } from "node:http";
import type { TracewayConfig, UpstreamConfig } from "../../../src/config/types.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startTelemetry, type Telemetry, type TelemetryOptions } from "../../../src/telemetry/setup.ts";
import { addScrapeTarget, ensureServices, promQuery, waitForScrape } from "../../helpers/services.ts";
import { testConfig } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** A balancer with the real telemetry pipeline, scraped by the real Prometheus under its own job. */
export interface ObservedBalancer {
  readonly balancer: RunningBalancer;
  readonly telemetry: Telemetry;
  /** Unique `job` label of this balancer's series. */
  readonly job: string;
  /** Instant query; `$JOB` in `expr` is replaced by this balancer's job selector value. */
  query(expr: string): Promise<{ metric: Record<string, string>; value: number }[]>;
  /** Polls `expr` until `accept` holds for its result (Prometheus scrapes every second). */
  until<T>(
    expr: string,
    accept: (r: { metric: Record<string, string>; value: number }[]) => T | undefined | false,
    what: string,
  ): Promise<T>;
  close(): Promise<void>;
}

export async function startObservedBalancer(
  upstreams: readonly UpstreamConfig[],
  options: { traces?: TracewayConfig["telemetry"]["traces"]; telemetryOptions?: TelemetryOptions } = {},
): Promise<ObservedBalancer> {
  const base = testConfig(upstreams);
  const config: TracewayConfig = {
    ...base,
    telemetry: {
      serviceName: "traceway-it",
      redactedQueryParameters: base.telemetry.redactedQueryParameters,
      prometheus: { enabled: true, host: "127.0.0.1", port: 0, path: "/metrics" },
      traces: options.traces ?? base.telemetry.traces,
    },
  };
  const telemetry = await startTelemetry(config, options.telemetryOptions);
  const balancer = await startBalancer({
    config,
    observer: telemetry.observer,
    logger: telemetry.logger,
    healthEvents: telemetry.healthEvents,
  });
  const unobserve = [...balancer.pools.values()].map((pool) => telemetry.observePool(pool));
  const job = `telemetry-it-${randomUUID().slice(0, 8)}`;
  await ensureServices("prometheus");
  const target = new URL(telemetry.metricsUrl!).host;
  const removeTarget = await addScrapeTarget({ job, target });
  await waitForScrape(job);
  const query = async (expr: string) =>
    (await promQuery(expr.replaceAll("$JOB", JSON.stringify(job)))).map((s) => ({
      metric: { ...s.metric },
      value: s.value,
    }));
  return {
    balancer,
    telemetry,
    job,
    query,
    until: (expr, accept, what) =>
      waitFor(async () => accept(await query(expr)), { what, timeoutMs: 20_000, intervalMs: 250 }),
    async close() {
      await removeTarget();
      await balancer.close();
      for (const off of unobserve) off();
      await telemetry.shutdown();
    },
  };
}

/** Sends `total` GETs with at most `concurrency` in flight over keep-alive; returns the statuses seen. */
export async function load(
  url: (i: number) => string,
  total: number,
  concurrency: number,
): Promise<Map<number, number>> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const statuses = new Map<number, number>();
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < total) {
      const i = next++;
      const res = await fetchWithAgent(url(i), agent);
      statuses.set(res, (statuses.get(res) ?? 0) + 1);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    agent.destroy();
  }
  return statuses;
}

async function fetchWithAgent(url: string, agent: Agent): Promise<number> {
  const { request } = await import("node:http");
  return new Promise((resolve, reject) => {
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.once("end", () => resolve(res.statusCode ?? 0));
      res.once("error", reject);
    });
    req.once("error", reject);
    req.end();
  });
}
