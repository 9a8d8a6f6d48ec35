/**
 * traceway's balancer, in the test process, with one upstream `api` discovered from etcd: the real
 * config path (YAML text → schema → defaults), the real discovery wiring, the discovery metrics on
 * a pull reader, log lines kept. Plus a bounded GET load that counts every failure.
 */
import { Writable } from "node:stream";
import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import pino from "pino";
import { Agent, request } from "undici";
import { parseConfigText } from "../../../src/config/load.ts";
import type { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { DiscoveryMetrics } from "../../../src/telemetry/discovery-metrics.ts";

class PullReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

class Lines extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (line !== "") this.lines.push(JSON.parse(line) as Record<string, unknown>);
    }
    done();
  }
}

/** When a backend (by `host:port`) entered or left the pool, or went down or up, in `Date.now()` time. */
export interface MembershipEvent {
  readonly backend: string;
  readonly change: "added" | "removed" | "down" | "up";
  readonly at: number;
}

export interface DiscoveringBalancer {
  readonly url: string;
  readonly balancer: RunningBalancer;
  readonly logs: readonly Record<string, unknown>[];
  readonly membership: readonly MembershipEvent[];
  pool(): UpstreamPool;
  /** `host:port` of the pool's backends, sorted. */
  members(): string[];
  metric(name: string, attributes?: Record<string, string>): Promise<number | undefined>;
  stop(): Promise<void>;
}

/**
 * Starts the balancer with `upstreams.api.discovery.etcd` on `etcd` and `prefix`; `upstream` is
 * more YAML under `api` (strategy, healthCheck, retry, ...), indented by the caller to 4 spaces.
 */
export async function startDiscoveringBalancer(options: {
  etcd: string;
  prefix: string;
  upstream?: string;
}): Promise<DiscoveringBalancer> {
  const text = [
    "server: { listen: 127.0.0.1:0, shutdownTimeout: 5s }",
    "upstreams:",
    "  api:",
    "    discovery:",
    `      etcd: { endpoints: ["${options.etcd}"], prefix: "${options.prefix}" }`,
    options.upstream ?? "",
    "telemetry: { prometheus: { enabled: false } }",
    "logging: { level: info, accessLog: false }",
  ].join("\n");
  const { config } = parseConfigText(text, { env: {}, source: "test" });
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const lines = new Lines();
  const balancer = await startBalancer({
    config,
    logger: pino({ level: "info" }, lines),
    discoveryObserver: new DiscoveryMetrics(meterProvider.getMeter("test"), systemClock),
  });
  const pool = (): UpstreamPool => {
    const p = balancer.pools.get("api");
    if (p === undefined) throw new Error("no pool for upstream api");
    return p;
  };
  const membership: MembershipEvent[] = [];
  pool().onChange((change) => {
    const at = Date.now();
    if (change.type === "status") {
      membership.push({ backend: change.backend.label, change: change.up ? "up" : "down", at });
    } else if (change.type === "members") {
      for (const b of change.added) membership.push({ backend: b.label, change: "added", at });
      for (const b of change.removed) membership.push({ backend: b.label, change: "removed", at });
    }
  });
  return {
    url: balancer.url,
    balancer,
    logs: lines.lines,
    membership,
    pool,
    members: () =>
      pool()
        .backends.map((b) => b.label)
        .sort(),
    async metric(name, attributes = {}) {
      const { resourceMetrics } = await reader.collect();
      const points = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as DataPoint<number>[])
        .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
      return points.length === 0 ? undefined : points.reduce((sum, p) => sum + p.value, 0);
    },
    async stop() {
      await balancer.close();
      await meterProvider.shutdown();
    },
  };
}

/** What a {@link Load} saw. */
export interface LoadResult {
  readonly sent: number;
  readonly ok: number;
  /** Every failed request: a non-2xx status with its body, or the error. */
  readonly failures: readonly string[];
}

export interface Load {
  /** Requests started so far. */
  readonly sent: number;
  /** Waits for the bound (`maxRequests` or `maxMs`) to be reached. */
  finished(): Promise<LoadResult>;
  stop(): Promise<LoadResult>;
}

/**
 * `concurrency` keep-alive clients sending `GET url` back to back, until {@link Load.stop}, or
 * `maxRequests` or `maxMs` is reached (every loop is bounded).
 */
export function startLoad(
  url: string,
  options: { concurrency: number; maxRequests: number; maxMs: number },
): Load {
  const agent = new Agent({ connections: options.concurrency });
  const deadline = performance.now() + options.maxMs;
  let stopped = false;
  let sent = 0;
  let ok = 0;
  const failures: string[] = [];
  const worker = async (): Promise<void> => {
    while (!stopped && sent < options.maxRequests && performance.now() < deadline) {
      sent += 1;
      try {
        const response = await request(url, { dispatcher: agent });
        const body = await response.body.text();
        if (response.statusCode >= 200 && response.statusCode < 300) ok += 1;
        else failures.push(`${response.statusCode} ${body.slice(0, 200)}`);
      } catch (error) {
        failures.push(String(error));
      }
    }
  };
  const workers = Promise.all(Array.from({ length: options.concurrency }, worker));
  return {
    get sent() {
      return sent;
    },
    async finished() {
      await workers;
      await agent.close();
      return { sent, ok, failures };
    },
    stop() {
      stopped = true;
      return this.finished();
    },
  };
}
