import type { ConfigProblem } from "./format-problems.ts";
import { show } from "./parsed.ts";
import type { TracewayConfig } from "./types.ts";
import { resolveWorkerCount } from "./worker-count.ts";

/** A key a running traceway cannot change: how to read it from a normalised config. */
export interface RestartKey {
  /** The key as written in the file. */
  readonly path: string;
  readonly value: (config: TracewayConfig) => string | number | boolean;
}

/**
 * What the balancer itself cannot change while running: the socket it listens on, the way it
 * makes upstream requests (its connection pools are built around it) and the number of processes
 * serving (`auto` as the count it resolves to here). Every other server key, every upstream and
 * every route is applied by a reload (docs/configuration.md#reload).
 */
export const BALANCER_RESTART_KEYS: readonly RestartKey[] = [
  { path: "server.listen", value: (c) => listenOf(c.server.host, c.server.port) },
  { path: "server.transport", value: (c) => c.server.transport },
  { path: "server.workers", value: (c) => resolveWorkerCount(c.server.workers) },
];

/**
 * What the telemetry pipeline is built from at start-up: the exporters, their endpoints and the
 * resource every span and metric carries, whether requests are observed for an access log at all,
 * and the layout every log line is built in. `logging.level` is the one logging key a reload applies.
 */
export const TELEMETRY_RESTART_KEYS: readonly RestartKey[] = [
  { path: "telemetry.serviceName", value: (c) => c.telemetry.serviceName },
  { path: "telemetry.serviceInstanceId", value: (c) => c.telemetry.serviceInstanceId ?? "(a random UUID)" },
  {
    path: "telemetry.redactedQueryParameters",
    value: (c) => c.telemetry.redactedQueryParameters.join(","),
  },
  { path: "telemetry.prometheus.enabled", value: (c) => c.telemetry.prometheus.enabled },
  {
    path: "telemetry.prometheus.listen",
    value: (c) => listenOf(c.telemetry.prometheus.host, c.telemetry.prometheus.port),
  },
  { path: "telemetry.prometheus.path", value: (c) => c.telemetry.prometheus.path },
  { path: "telemetry.traces.enabled", value: (c) => c.telemetry.traces.enabled },
  { path: "telemetry.traces.otlpEndpoint", value: (c) => c.telemetry.traces.otlpEndpoint },
  { path: "telemetry.traces.sampleRatio", value: (c) => c.telemetry.traces.sampleRatio },
  { path: "logging.accessLog", value: (c) => c.logging.accessLog },
  { path: "logging.format", value: (c) => c.logging.format },
];

/**
 * The keys among `keys` whose value differs between the running config and the next one, each
 * as a problem that names it: a reload with any of them is refused whole, the running config
 * stays in force.
 */
export function restartNeeded(
  keys: readonly RestartKey[],
  running: TracewayConfig,
  next: TracewayConfig,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const key of keys) {
    const was = key.value(running);
    const now = key.value(next);
    if (was !== now) {
      problems.push({
        path: key.path,
        message: `changes need a restart (running ${show(was)}, file ${show(now)}); the running configuration stays in force`,
      });
    }
  }
  return problems;
}

function listenOf(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}
