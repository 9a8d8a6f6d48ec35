import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../../../src/config/load.ts";
import type { TracewayConfig } from "../../../src/config/types.ts";
import { DEFAULT_REDACTED_QUERY_PARAMETERS } from "../../../src/config/defaults.ts";

test("a minimal file gets every default filled in", () => {
  const { config, warnings } = parseConfigText(
    'upstreams:\n  api:\n    backends: [{ url: "http://127.0.0.1:8001" }]\n',
    {
      env: {},
    },
  );
  const expected: TracewayConfig = {
    server: {
      host: "0.0.0.0",
      port: 8080,
      transport: "undici",
      trustedProxies: [],
      forwarded: false,
      shutdownTimeoutMs: 30_000,
      headersTimeoutMs: 60_000,
      workers: 1,
    },
    upstreams: new Map([
      [
        "api",
        {
          name: "api",
          strategy: "round_robin",
          hashKey: { kind: "ip" },
          backends: [{ url: "http://127.0.0.1:8001", weight: 1, backup: false }],
          healthCheck: {
            enabled: false,
            path: "/healthz",
            intervalMs: 5000,
            timeoutMs: 1000,
            unhealthyThreshold: 3,
            healthyThreshold: 2,
            expectStatus: [{ min: 200, max: 399 }],
            jitter: 0.1,
          },
          passive: {
            maxFails: 3,
            failTimeoutMs: 10_000,
            consecutive5xx: 5,
            baseEjectionMs: 30_000,
            maxEjectionPercent: 50,
          },
          retry: { tries: 3, timeoutMs: 0, on: ["error", "timeout"] },
          timeouts: { connectMs: 5000, responseMs: 60_000, idleMs: 60_000 },
          maxConnsPerBackend: 0,
          queue: { size: 100, timeoutMs: 5000 },
          keepAlive: { maxSockets: 256, maxFreeSockets: 64 },
          slowStartMs: 0,
          panicMode: false,
        },
      ],
    ]),
    routes: [{ match: { pathPrefix: "/" }, upstream: "api", preserveHost: true }],
    telemetry: {
      serviceName: "traceway",
      redactedQueryParameters: DEFAULT_REDACTED_QUERY_PARAMETERS,
      prometheus: { enabled: true, host: "127.0.0.1", port: 9464, path: "/metrics" },
      traces: { enabled: false, otlpEndpoint: "", sampleRatio: 1 },
    },
    logging: { level: "info", accessLog: true, format: "json" },
  };
  assert.deepEqual(config, expected);
  assert.deepEqual(warnings, []);
});

test("a healthCheck block turns active checks on unless enabled: false", () => {
  const load = (hc: string) =>
    parseConfigText(`upstreams:\n  api:\n    backends: [{ url: "http://a:1" }]\n    healthCheck: ${hc}\n`, {
      env: {},
    }).config.upstreams.get("api")?.healthCheck;
  assert.equal(load("{}")?.enabled, true);
  assert.equal(load("{ path: /ready }")?.path, "/ready");
  assert.equal(load("{ enabled: false, interval: 2s }")?.enabled, false);
  assert.equal(load("{ interval: 2s }")?.intervalMs, 2000);
});

test("traces: on when an endpoint is given; enabled alone uses the OTLP default endpoint", () => {
  const traces = (t: string) =>
    parseConfigText(
      `upstreams:\n  api: { backends: [{ url: "http://a:1" }] }\ntelemetry: { traces: ${t} }\n`,
      {
        env: {},
      },
    ).config.telemetry.traces;
  assert.deepEqual(traces('{ otlpEndpoint: "http://jaeger:4318/v1/traces" }'), {
    enabled: true,
    otlpEndpoint: "http://jaeger:4318/v1/traces",
    sampleRatio: 1,
  });
  assert.deepEqual(traces("{ enabled: true, sampleRatio: 0.25 }"), {
    enabled: true,
    otlpEndpoint: "http://127.0.0.1:4318/v1/traces",
    sampleRatio: 0.25,
  });
  assert.equal(traces("{}").enabled, false);
});

test("values a file gives are kept; durations become milliseconds; retry.on is de-duplicated", () => {
  const { config } = parseConfigText(
    `server: { listen: "[::1]:0", shutdownTimeout: 1m30s, transport: http-proxy, headersTimeout: 10s, forwarded: true, workers: auto }
upstreams:
  api:
    strategy: consistent_hash
    hashKey: "cookie:sid"
    backends: [{ url: "https://b.example:8443", weight: 7 }]
    retry: { tries: 1, on: [error, error, http_503] }
    queue: { size: 0, timeout: 250ms }
    slowStart: 30s
    panicMode: true
telemetry: { prometheus: { enabled: false, listen: ":9100", path: /m } }
logging: { level: debug, accessLog: false, format: ecs }
`,
    { env: {} },
  );
  const api = config.upstreams.get("api");
  assert.deepEqual(config.server, {
    host: "::1",
    port: 0,
    transport: "http-proxy",
    trustedProxies: [],
    forwarded: true,
    shutdownTimeoutMs: 90_000,
    headersTimeoutMs: 10_000,
    workers: "auto",
  });
  assert.deepEqual(api?.hashKey, { kind: "cookie", name: "sid" });
  assert.deepEqual(api?.backends, [{ url: "https://b.example:8443", weight: 7, backup: false }]);
  assert.deepEqual(api?.retry, { tries: 1, timeoutMs: 0, on: ["error", "http_503"] });
  assert.deepEqual(api?.queue, { size: 0, timeoutMs: 250 });
  assert.equal(api?.slowStartMs, 30_000);
  assert.equal(api?.panicMode, true);
  assert.deepEqual(config.telemetry.prometheus, { enabled: false, host: "0.0.0.0", port: 9100, path: "/m" });
  assert.deepEqual(config.logging, { level: "debug", accessLog: false, format: "ecs" });
});

test("hashKey without consistent_hash is a warning", () => {
  const { warnings } = parseConfigText(
    'upstreams:\n  api: { hashKey: "header:x-id", backends: [{ url: "http://a:1" }] }\n',
    { env: {} },
  );
  assert.deepEqual(warnings, [
    "upstreams.api.hashKey: only consistent_hash uses it (strategy is round_robin)",
  ]);
});
