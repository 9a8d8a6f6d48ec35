import {
  DEFAULT_FORWARDED,
  DEFAULT_HEADERS_TIMEOUT_MS,
  DEFAULT_TRANSPORT,
  DEFAULT_WORKERS,
} from "../../src/config/defaults.ts";
import { TRANSPORT_NAMES } from "../../src/config/schema.ts";
import type { TracewayConfig, TransportName, UpstreamConfig } from "../../src/config/types.ts";
import { DEFAULT_REDACTED_QUERY_PARAMETERS } from "../../src/config/defaults.ts";

/** Every way of making upstream requests; every proxy test runs against each. */
export const TRANSPORTS: readonly TransportName[] = TRANSPORT_NAMES;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/**
 * A normalised upstream config for proxy tests, built by hand so these tests do not depend on
 * the YAML loader. Health checks are off and timeouts short unless a test says otherwise.
 */
export function testUpstream(
  name: string,
  urls: readonly string[],
  overrides: Partial<Mutable<UpstreamConfig>> = {},
): UpstreamConfig {
  return {
    name,
    strategy: "round_robin",
    hashKey: { kind: "ip" },
    backends: urls.map((url) => ({ url, weight: 1, backup: false })),
    healthCheck: {
      enabled: false,
      path: "/healthz",
      intervalMs: 5000,
      timeoutMs: 1000,
      unhealthyThreshold: 3,
      healthyThreshold: 2,
      expectStatus: [{ min: 200, max: 399 }],
      jitter: 0,
    },
    passive: {
      maxFails: 0,
      failTimeoutMs: 10_000,
      consecutive5xx: 0,
      baseEjectionMs: 30_000,
      maxEjectionPercent: 50,
    },
    retry: { tries: 3, timeoutMs: 10_000, on: ["error", "timeout", "http_502", "http_503", "http_504"] },
    timeouts: { connectMs: 1000, responseMs: 5000, idleMs: 10_000 },
    maxConnsPerBackend: 0,
    queue: { size: 100, timeoutMs: 5000 },
    keepAlive: { maxSockets: 64, maxFreeSockets: 16 },
    slowStartMs: 0,
    panicMode: false,
    ...overrides,
  };
}

/** A one-upstream config listening on an ephemeral loopback port. */
export function testConfig(
  upstreams: readonly UpstreamConfig[],
  overrides: {
    trustedProxies?: readonly string[];
    forwarded?: boolean;
    shutdownTimeoutMs?: number;
    headersTimeoutMs?: number;
    preserveHost?: boolean;
    transport?: TransportName;
  } = {},
): TracewayConfig {
  const first = upstreams[0];
  if (!first) throw new Error("testConfig needs at least one upstream");
  return {
    server: {
      host: "127.0.0.1",
      port: 0,
      // The production default, so the path users take is the one most tested.
      transport: overrides.transport ?? DEFAULT_TRANSPORT,
      trustedProxies: overrides.trustedProxies ?? [],
      forwarded: overrides.forwarded ?? DEFAULT_FORWARDED,
      shutdownTimeoutMs: overrides.shutdownTimeoutMs ?? 5000,
      headersTimeoutMs: overrides.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS,
      workers: DEFAULT_WORKERS,
    },
    upstreams: new Map(upstreams.map((u) => [u.name, u])),
    routes: [
      { match: { pathPrefix: "/" }, upstream: first.name, preserveHost: overrides.preserveHost ?? true },
    ],
    telemetry: {
      serviceName: "traceway-test",
      redactedQueryParameters: DEFAULT_REDACTED_QUERY_PARAMETERS,
      prometheus: { enabled: false, host: "127.0.0.1", port: 0, path: "/metrics" },
      traces: { enabled: false, otlpEndpoint: "", sampleRatio: 0 },
    },
    logging: { level: "silent", accessLog: false, format: "json" },
  };
}
