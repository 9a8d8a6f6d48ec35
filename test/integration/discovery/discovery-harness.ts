/**
 * One upstream's etcd discovery running in the test process, as the balancer runs it (the real
 * etcd3 client with production timings), with everything it reports kept for assertions: every
 * backend set, every list attempt, its log lines and its metrics.
 */
import { Writable } from "node:stream";
import { MeterProvider, MetricReader, type DataPoint } from "@opentelemetry/sdk-metrics";
import pino from "pino";
import type { EtcdValueFormat } from "../../../src/config/types.ts";
import { createEtcdClient } from "../../../src/discovery/etcd-client.ts";
import { etcdPrefixSource } from "../../../src/discovery/etcd-prefix-source.ts";
import {
  startEtcdUpstreamDiscovery,
  type EtcdUpstreamDiscovery,
} from "../../../src/discovery/etcd-upstream-discovery.ts";
import type { DiscoveredBackend } from "../../../src/discovery/etcd-value.ts";
import { systemClock } from "../../../src/shared/clock.ts";
import { DiscoveryMetrics } from "../../../src/telemetry/discovery-metrics.ts";
import { waitFor } from "../../helpers/wait-for.ts";

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

export interface DiscoveryUnderTest {
  readonly upstream: string;
  /** Every backend set reported (or the latest `history`), oldest first. */
  readonly sets: (readonly DiscoveredBackend[])[];
  /** Lists attempted, failed ones included. */
  readonly listAttempts: number;
  readonly discovery: EtcdUpstreamDiscovery;
  readonly logs: readonly Record<string, unknown>[];
  /** Origins of the latest set, sorted. */
  urls(): string[];
  /** Sum of a metric's points whose attributes include `attributes`; undefined when there are none. */
  metric(name: string, attributes?: Record<string, string>): Promise<number | undefined>;
  waitForUrls(expected: readonly string[], what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startDiscovery(options: {
  endpoint: string;
  prefix: string;
  upstream?: string;
  format?: EtcdValueFormat;
  cacheFile?: string;
  dialTimeoutMs?: number;
  /** Keep only the latest this many sets (a churn test must not measure its own history). */
  history?: number;
  /** Runs after list number `n` (1-based) answered, before the watch starts: writes in the gap. */
  afterList?: (n: number) => Promise<void>;
}): Promise<DiscoveryUnderTest> {
  const upstream = options.upstream ?? "api";
  const reader = new PullReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const observer = new DiscoveryMetrics(meterProvider.getMeter("test"), systemClock);
  const lines = new Lines();
  const logger = pino({ level: "debug" }, lines);
  const config = {
    endpoints: [options.endpoint],
    prefix: options.prefix,
    format: options.format ?? "auto",
    auth: undefined,
    tls: undefined,
    dialTimeoutMs: options.dialTimeoutMs ?? 2000,
    cacheFile: options.cacheFile,
  };
  const client = createEtcdClient(config);
  const real = etcdPrefixSource(client);
  let listAttempts = 0;
  const source = {
    async list(prefix: string) {
      listAttempts += 1;
      const listing = await real.list(prefix);
      await options.afterList?.(listAttempts);
      return listing;
    },
    openWatchStream: () => real.openWatchStream(),
  };
  const sets: (readonly DiscoveredBackend[])[] = [];
  const record = (set: readonly DiscoveredBackend[]): void => {
    sets.push(set);
    if (options.history !== undefined && sets.length > options.history) sets.shift();
  };
  const discovery = await startEtcdUpstreamDiscovery(upstream, config, { logger, observer, source }, record);
  const urls = (): string[] => (sets.at(-1) ?? []).map((b) => b.url).sort();

  return {
    upstream,
    sets,
    get listAttempts() {
      return listAttempts;
    },
    discovery,
    logs: lines.lines,
    urls,
    async metric(name, attributes = {}) {
      const { resourceMetrics } = await reader.collect();
      const points = resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((m) => m.descriptor.name === name)
        .flatMap((m) => m.dataPoints as DataPoint<number>[])
        .filter((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
      return points.length === 0 ? undefined : points.reduce((sum, p) => sum + p.value, 0);
    },
    async waitForUrls(expected, what, timeoutMs = 10_000) {
      const want = [...expected].sort();
      await waitFor(() => JSON.stringify(urls()) === JSON.stringify(want), {
        what: `${what} (want ${JSON.stringify(want)}, have ${JSON.stringify(urls())})`,
        timeoutMs,
        intervalMs: 20,
      });
    },
    async stop() {
      await discovery.stop();
      client.close();
      await meterProvider.shutdown();
    },
  };
}

/** An etcd-endpoints value, as etcd's Go naming package writes it. */
export function endpointValue(addr: string, metadata: unknown = null): string {
  return JSON.stringify({ Op: 0, Addr: addr, Metadata: metadata });
}
