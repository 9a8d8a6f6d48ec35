import * as D from "./defaults.ts";
import { parseHashKey } from "./hash-key-source.ts";
import { formatPath } from "./format-problems.ts";
import { normaliseKafka } from "./kafka-normalise.ts";
import { parseListen } from "./listen.ts";
import type { Parsed } from "./parsed.ts";
import { orderRoutes } from "./routes.ts";
import type { ValidatedFile } from "./schema.ts";
import { parseStatusRanges } from "./status-ranges.ts";
import type {
  AdminConfig,
  CanaryConfig,
  DiscoveryConfig,
  RouteConfig,
  TracewayConfig,
  UpstreamConfig,
} from "./types.ts";

type FileUpstream = ValidatedFile["upstreams"][string];

/**
 * Fills every default into a file that passed the schema and the cross checks, and collects
 * warnings: things that are valid but probably not what was meant.
 */
export function normalise(file: ValidatedFile): { config: TracewayConfig; warnings: string[] } {
  const warnings: string[] = [];
  const upstreams = new Map<string, UpstreamConfig>();
  for (const [name, upstream] of Object.entries(file.upstreams)) {
    upstreams.set(name, normaliseUpstream(name, upstream, warnings));
  }

  const routes: RouteConfig[] =
    file.routes === undefined
      ? // One upstream and no routes: everything goes to it.
        [...upstreams.keys()].map((upstream) => ({
          match: { pathPrefix: D.DEFAULT_PATH_PREFIX },
          upstream,
          preserveHost: D.DEFAULT_PRESERVE_HOST,
        }))
      : file.routes.map((route) => ({
          match: {
            ...(route.match?.host === undefined ? {} : { host: route.match.host }),
            pathPrefix: route.match?.pathPrefix ?? D.DEFAULT_PATH_PREFIX,
          },
          upstream: route.upstream,
          preserveHost: route.preserveHost ?? D.DEFAULT_PRESERVE_HOST,
        }));
  const kafka = file.kafka === undefined ? undefined : normaliseKafka(file.kafka, warnings);
  const used = new Set([...routes.map((r) => r.upstream), ...(kafka?.bridges.map((b) => b.upstream) ?? [])]);
  for (const name of upstreams.keys()) {
    if (!used.has(name)) warnings.push(`${formatPath(["upstreams", name])}: not used by any route`);
  }

  const server = file.server ?? {};
  const listen = server.listen ?? defaultOf(parseListen(D.DEFAULT_LISTEN));
  const telemetry = file.telemetry ?? {};
  const prometheus = telemetry.prometheus ?? {};
  const metricsListen = prometheus.listen ?? defaultOf(parseListen(D.DEFAULT_PROMETHEUS_LISTEN));
  const traces = telemetry.traces ?? {};
  const otlpEndpoint = traces.otlpEndpoint ?? "";
  // Traces are on when an endpoint is given; `enabled: true` alone uses the OTLP default endpoint.
  const tracesEnabled = traces.enabled ?? otlpEndpoint !== "";
  if (traces.enabled === false && otlpEndpoint !== "") {
    warnings.push("telemetry.traces: enabled is false, so otlpEndpoint is not used");
  }

  const config: TracewayConfig = {
    server: {
      host: listen.host,
      port: listen.port,
      transport: server.transport ?? D.DEFAULT_TRANSPORT,
      trustedProxies: server.trustedProxies ?? D.DEFAULT_TRUSTED_PROXIES,
      forwarded: server.forwarded ?? D.DEFAULT_FORWARDED,
      shutdownTimeoutMs: server.shutdownTimeout ?? D.DEFAULT_SHUTDOWN_TIMEOUT_MS,
      headersTimeoutMs: server.headersTimeout ?? D.DEFAULT_HEADERS_TIMEOUT_MS,
      workers: server.workers ?? D.DEFAULT_WORKERS,
    },
    upstreams,
    routes: orderRoutes(routes),
    telemetry: {
      serviceName: telemetry.serviceName ?? D.DEFAULT_SERVICE_NAME,
      ...(telemetry.serviceInstanceId === undefined
        ? {}
        : { serviceInstanceId: telemetry.serviceInstanceId }),
      redactedQueryParameters: telemetry.redactedQueryParameters ?? D.DEFAULT_REDACTED_QUERY_PARAMETERS,
      prometheus: {
        enabled: prometheus.enabled ?? D.DEFAULT_PROMETHEUS_ENABLED,
        host: metricsListen.host,
        port: metricsListen.port,
        path: prometheus.path ?? D.DEFAULT_PROMETHEUS_PATH,
      },
      traces: {
        enabled: tracesEnabled,
        otlpEndpoint: tracesEnabled && otlpEndpoint === "" ? D.DEFAULT_OTLP_TRACES_ENDPOINT : otlpEndpoint,
        sampleRatio: traces.sampleRatio ?? D.DEFAULT_SAMPLE_RATIO,
      },
    },
    logging: {
      level: file.logging?.level ?? D.DEFAULT_LOG_LEVEL,
      accessLog: file.logging?.accessLog ?? D.DEFAULT_ACCESS_LOG,
      format: file.logging?.format ?? D.DEFAULT_LOG_FORMAT,
    },
    ...(file.admin === undefined ? {} : { admin: normaliseAdmin(file.admin) }),
    ...(kafka === undefined ? {} : { kafka }),
  };
  return { config, warnings };
}

function normaliseUpstream(name: string, u: FileUpstream, warnings: string[]): UpstreamConfig {
  const strategy = u.strategy ?? D.DEFAULT_STRATEGY;
  if (u.hashKey !== undefined && strategy !== "consistent_hash") {
    warnings.push(
      `${formatPath(["upstreams", name, "hashKey"])}: only consistent_hash uses it (strategy is ${strategy})`,
    );
  }
  // Active checks probe a path the backends may not serve, so they are opt-in: a healthCheck
  // block turns them on. Passive health (on by default) still catches dead backends.
  const hc = u.healthCheck;
  const healthCheck = {
    enabled: hc === undefined ? false : (hc.enabled ?? true),
    path: hc?.path ?? D.DEFAULT_HEALTH_PATH,
    intervalMs: hc?.interval ?? D.DEFAULT_HEALTH_INTERVAL_MS,
    timeoutMs: hc?.timeout ?? D.DEFAULT_HEALTH_TIMEOUT_MS,
    unhealthyThreshold: hc?.unhealthyThreshold ?? D.DEFAULT_UNHEALTHY_THRESHOLD,
    healthyThreshold: hc?.healthyThreshold ?? D.DEFAULT_HEALTHY_THRESHOLD,
    expectStatus: hc?.expectStatus ?? defaultOf(parseStatusRanges(D.DEFAULT_EXPECT_STATUS)),
    jitter: hc?.jitter ?? D.DEFAULT_HEALTH_JITTER,
  };
  if (healthCheck.enabled && healthCheck.timeoutMs > healthCheck.intervalMs) {
    warnings.push(
      `${formatPath(["upstreams", name, "healthCheck", "timeout"])}: ${healthCheck.timeoutMs}ms is longer than the interval (${healthCheck.intervalMs}ms)`,
    );
  }
  return {
    name,
    strategy,
    hashKey: u.hashKey ?? defaultOf(parseHashKey(D.DEFAULT_HASH_KEY)),
    backends: (u.backends ?? []).map((b) => ({
      url: b.url,
      weight: b.weight ?? D.DEFAULT_WEIGHT,
      backup: b.backup ?? false,
    })),
    ...(u.discovery === undefined ? {} : { discovery: normaliseDiscovery(name, u.discovery, warnings) }),
    healthCheck,
    passive: {
      maxFails: u.passive?.maxFails ?? D.DEFAULT_MAX_FAILS,
      failTimeoutMs: u.passive?.failTimeout ?? D.DEFAULT_FAIL_TIMEOUT_MS,
      consecutive5xx: u.passive?.consecutive5xx ?? D.DEFAULT_CONSECUTIVE_5XX,
      baseEjectionMs: u.passive?.baseEjectionTime ?? D.DEFAULT_BASE_EJECTION_MS,
      maxEjectionPercent: u.passive?.maxEjectionPercent ?? D.DEFAULT_MAX_EJECTION_PERCENT,
    },
    retry: {
      tries: u.retry?.tries ?? D.DEFAULT_RETRY_TRIES,
      timeoutMs: u.retry?.timeout ?? D.DEFAULT_RETRY_TIMEOUT_MS,
      on: u.retry?.on ? [...new Set(u.retry.on)] : D.DEFAULT_RETRY_ON,
    },
    timeouts: {
      connectMs: u.timeouts?.connect ?? D.DEFAULT_CONNECT_TIMEOUT_MS,
      responseMs: u.timeouts?.response ?? D.DEFAULT_RESPONSE_TIMEOUT_MS,
      idleMs: u.timeouts?.idle ?? D.DEFAULT_IDLE_TIMEOUT_MS,
    },
    maxConnsPerBackend: u.maxConnsPerBackend ?? D.DEFAULT_MAX_CONNS_PER_BACKEND,
    queue: {
      size: u.queue?.size ?? D.DEFAULT_QUEUE_SIZE,
      timeoutMs: u.queue?.timeout ?? D.DEFAULT_QUEUE_TIMEOUT_MS,
    },
    keepAlive: {
      maxSockets: u.keepAlive?.maxSockets ?? D.DEFAULT_KEEPALIVE_MAX_SOCKETS,
      maxFreeSockets: u.keepAlive?.maxFreeSockets ?? D.DEFAULT_KEEPALIVE_MAX_FREE_SOCKETS,
    },
    slowStartMs: u.slowStart ?? D.DEFAULT_SLOW_START_MS,
    panicMode: u.panicMode ?? D.DEFAULT_PANIC_MODE,
    ...(u.canary === undefined ? {} : { canary: normaliseCanary(name, u.canary, warnings) }),
  };
}

function normaliseCanary(
  upstream: string,
  c: NonNullable<FileUpstream["canary"]>,
  warnings: string[],
): CanaryConfig {
  const a = c.analysis ?? {};
  const steps = c.steps ?? D.DEFAULT_CANARY_STEPS;
  if (steps.at(-1) !== 100) {
    warnings.push(
      `${formatPath(["upstreams", upstream, "canary", "steps"])}: the last step is ${steps.at(-1)}%; a canary that passes it is promoted to 100% at once`,
    );
  }
  if (a.prometheus !== undefined && (a.metrics?.length ?? 0) === 0) {
    warnings.push(
      `${formatPath(["upstreams", upstream, "canary", "analysis", "prometheus"])}: no metrics to query`,
    );
  }
  return {
    backends: (c.backends ?? []).map((b) => ({
      url: b.url,
      weight: b.weight ?? D.DEFAULT_WEIGHT,
      backup: b.backup ?? false,
    })),
    select: c.select === undefined ? undefined : { metadata: { ...c.select.metadata } },
    steps,
    intervalMs: c.interval ?? D.DEFAULT_CANARY_INTERVAL_MS,
    analysis: {
      maxP99Ms: a.maxP99 ?? D.DEFAULT_CANARY_MAX_P99_MS,
      maxErrorRate: a.maxErrorRate ?? D.DEFAULT_CANARY_MAX_ERROR_RATE,
      minRequests: a.minRequests ?? D.DEFAULT_CANARY_MIN_REQUESTS,
      maxIdleIntervals: a.maxIdleIntervals ?? D.DEFAULT_CANARY_MAX_IDLE_INTERVALS,
      prometheus:
        a.prometheus === undefined
          ? undefined
          : {
              url: a.prometheus.url,
              timeoutMs: a.prometheus.timeout ?? D.DEFAULT_PROMETHEUS_QUERY_TIMEOUT_MS,
            },
      metrics: (a.metrics ?? []).map((m) => ({ name: m.name, query: m.query, min: m.min, max: m.max })),
    },
    failureLimit: c.failureLimit ?? D.DEFAULT_CANARY_FAILURE_LIMIT,
    stickiness: c.stickiness,
    header: c.header,
    confirmPromotion: c.confirmPromotion ?? D.DEFAULT_CANARY_CONFIRM_PROMOTION,
    stateFile: c.stateFile,
  };
}

function normaliseAdmin(admin: NonNullable<ValidatedFile["admin"]>): AdminConfig {
  const listen = admin.listen ?? defaultOf(parseListen(D.DEFAULT_ADMIN_LISTEN));
  const tokens =
    admin.tokens ??
    (admin.token === undefined
      ? []
      : [{ name: admin.tokenName ?? D.DEFAULT_ADMIN_TOKEN_NAME, token: admin.token }]);
  return {
    enabled: admin.enabled ?? true,
    host: listen.host,
    port: listen.port,
    tokens,
    readAccess: admin.readAccess ?? D.DEFAULT_ADMIN_READ_ACCESS,
  };
}

function normaliseDiscovery(
  name: string,
  discovery: NonNullable<FileUpstream["discovery"]>,
  warnings: string[],
): DiscoveryConfig {
  const e = discovery.etcd;
  if (!e.prefix.endsWith("/")) {
    warnings.push(
      `${formatPath(["upstreams", name, "discovery", "etcd", "prefix"])}: ${JSON.stringify(e.prefix)} does not end with "/", so keys of ${JSON.stringify(`${e.prefix}-other/`)} match it too`,
    );
  }
  const username = e.username ?? "";
  return {
    etcd: {
      endpoints: e.endpoints,
      prefix: e.prefix,
      format: e.format ?? D.DEFAULT_ETCD_FORMAT,
      auth: username === "" ? undefined : { username, password: e.password ?? "" },
      tls: e.tls === undefined ? undefined : { ca: e.tls.ca, cert: e.tls.cert, key: e.tls.key },
      dialTimeoutMs: e.dialTimeout ?? D.DEFAULT_ETCD_DIAL_TIMEOUT_MS,
      cacheFile: e.cacheFile,
    },
  };
}

/** Defaults are written in file syntax; a default that fails to parse is a bug in defaults.ts. */
function defaultOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new Error(`traceway bug: a default does not parse: ${parsed.message}`);
  return parsed.value;
}
