import { request } from "node:http";
import { connect } from "node:net";
import type { MetricData } from "@opentelemetry/sdk-metrics";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { WebSocket, WebSocketServer } from "ws";
import type { TracewayConfig } from "../../../src/config/types.ts";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startTelemetry } from "../../../src/telemetry/setup.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { RUNTIME_METER_SCOPES } from "../../../src/telemetry/runtime-metrics.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { PullMetricReader } from "../../unit/interceptors/http/http-fixture.ts";
import { LogCapture } from "../../unit/telemetry/telemetry-fixture.ts";

/** The virtual host every routed request of the scenario names. */
export const HOST = "api.example";

/** Everything the balancer's telemetry recorded in {@link runHttpScenario}. */
export interface HttpScenario {
  readonly metrics: readonly MetricData[];
  readonly spans: readonly ReadableSpan[];
  /** The access lines, parsed. */
  readonly access: readonly Record<string, unknown>[];
  /** Client requests the scenario sent, each answered (the parser rejection included). */
  readonly requests: number;
  /** The `traceparent` the WebSocket backend received with the upgrade. */
  readonly upgradeTraceparent: string | undefined;
}

/**
 * One balancer, with the real telemetry pipeline, through every kind of request it observes:
 * a 200 (with a query to redact), a backend's 500, a 503 retried on another backend (whose first
 * backend is then ejected), two requests where one waits in the connection queue, a request no
 * route matches, a WebSocket upgrade and a request the HTTP parser refuses; and the events an etcd
 * discovery provider reports.
 */
export async function runHttpScenario(): Promise<HttpScenario> {
  const ok = await startBackend("ok");
  let upgradeTraceparent: string | undefined;
  new WebSocketServer({ server: ok.server }).on("connection", (socket, req) => {
    upgradeTraceparent = String(req.headers.traceparent);
    socket.close();
  });
  const failing = await startBackend("failing", (req, res) => {
    req.resume();
    res.writeHead(500).end("boom");
  });
  const busy = await startBackend("busy", (req, res) => {
    req.resume();
    res.writeHead(503).end("busy");
  });
  const slow = await startBackend("slow", (req, res) => {
    req.resume();
    setTimeout(() => res.writeHead(200).end("slow"), 100);
  });
  const backends: TestBackend[] = [ok, failing, busy, slow];
  const config: TracewayConfig = {
    ...testConfig([
      testUpstream("api", [ok.url]),
      testUpstream("errors", [failing.url]),
      testUpstream("flaky", [busy.url, ok.url], {
        retry: { tries: 2, timeoutMs: 10_000, on: ["http_503"] },
        passive: {
          maxFails: 0,
          failTimeoutMs: 10_000,
          consecutive5xx: 1,
          baseEjectionMs: 30_000,
          maxEjectionPercent: 50,
        },
      }),
      testUpstream("queued", [slow.url], { maxConnsPerBackend: 1, queue: { size: 10, timeoutMs: 5000 } }),
    ]),
    routes: [
      { match: { host: HOST, pathPrefix: "/fail" }, upstream: "errors", preserveHost: true },
      { match: { host: HOST, pathPrefix: "/flaky" }, upstream: "flaky", preserveHost: true },
      { match: { host: HOST, pathPrefix: "/queued" }, upstream: "queued", preserveHost: true },
      { match: { host: HOST, pathPrefix: "/" }, upstream: "api", preserveHost: true },
    ],
  };
  const spans = new InMemorySpanExporter();
  const access = new LogCapture();
  let reader: PullMetricReader | undefined;
  const telemetry = await startTelemetry(
    {
      telemetry: {
        ...config.telemetry,
        prometheus: { ...config.telemetry.prometheus, enabled: true },
        // Every trace sampled; spans go to the in-memory exporter below, never over OTLP.
        traces: { enabled: true, otlpEndpoint: "", sampleRatio: 1 },
      },
      logging: { level: "info", accessLog: true, format: "json" },
    },
    {
      spanExporter: spans,
      logDestination: access,
      metricReaders: (producers) => [(reader = new PullMetricReader({ metricProducers: [...producers] }))],
    },
  );
  const balancer = await startBalancer({
    config,
    observer: telemetry.observer,
    logger: telemetry.logger,
    healthEvents: telemetry.healthEvents,
    discoveryObserver: telemetry.discoveryObserver,
  });
  const stops = [...balancer.pools.values()].map((pool) => telemetry.observePool(pool));
  for (const [name, queue] of balancer.queues()) stops.push(telemetry.observeQueue(name, queue));
  try {
    const get = (path: string, host = HOST): Promise<number> => status(balancer.port, path, host);
    await get("/orders/7?q=shoes&token=s3cr3t");
    await get("/fail");
    await get("/flaky");
    await get("/flaky");
    await Promise.all([get("/queued/a"), get("/queued/b")]);
    await get("/nothing", "other.example");
    await upgrade(`ws://127.0.0.1:${balancer.port}/chat`);
    await raw(balancer.port, "NOT-A-METHOD / HTTP/1.1\r\nHost: x\r\n\r\n");
    // What an etcd provider reports over its life (test/integration/discovery drives a real etcd):
    // with it the scenario reaches every discovery instrument too.
    const discovery = telemetry.discoveryObserver;
    discovery.onUpdate({ upstream: "api", source: "etcd", backends: 1 });
    discovery.onSync({ upstream: "api", source: "etcd" });
    discovery.onMalformed({ upstream: "api", source: "etcd" });
    discovery.onError({ upstream: "api", source: "etcd", errorType: "unavailable" });
    discovery.onStale({ upstream: "api", source: "etcd", stale: true });
    const requests = 9;
    await waitFor(() => access.lines.filter((l) => l["msg"] === "access").length >= requests, {
      what: "an access line per request",
      timeoutMs: 5000,
      intervalMs: 10,
    });
    await telemetry.tracerProvider.forceFlush();
    const { resourceMetrics } = await reader!.collect();
    return {
      // Traceway's own instruments; the runtime series are the OTel runtime instrumentations' (docs/telemetry.md, Runtime).
      metrics: resourceMetrics.scopeMetrics
        .filter((scope) => !RUNTIME_METER_SCOPES.includes(scope.scope.name))
        .flatMap((scope) => scope.metrics),
      spans: spans.getFinishedSpans(),
      access: access.lines.filter((l) => l["msg"] === "access"),
      requests,
      upgradeTraceparent,
    };
  } finally {
    for (const stop of stops) stop();
    await balancer.close();
    await telemetry.shutdown();
    for (const backend of backends) await backend.kill();
  }
}

function status(port: number, path: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port, path, headers: { host, "user-agent": "scenario/1" } },
      (res) => res.resume().once("end", () => resolve(res.statusCode ?? 0)),
    );
    req.once("error", reject).end();
  });
}

function upgrade(url: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers: { host: HOST } });
    ws.once("open", () => ws.close());
    ws.once("close", () => resolve());
    ws.once("error", reject);
  });
}

/** Raw bytes to the balancer; resolves with everything it answered before closing. */
function raw(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(payload));
    let answer = "";
    socket.on("data", (chunk: Buffer) => (answer += chunk.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}
