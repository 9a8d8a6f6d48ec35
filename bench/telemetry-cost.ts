/**
 * What the balancer's telemetry costs per proxied request, in process: the proxy observer that
 * `startTelemetry` builds from a config is driven through a request with one upstream attempt
 * (SERVER span, CLIENT span, trace context injection, both duration histograms, body bytes), with
 * spans exported over OTLP/HTTP to a real receiver, no network path around it. On a shared machine
 * this is far steadier than subtracting two wrk runs, so it tracks regressions; under real traffic
 * the cost is larger (colder caches, more garbage per collection).
 *
 * Usage: node --experimental-async-context-frame bench/telemetry-cost.ts --mode metrics|sampled|sampled-access-log|all
 *        --otlp http://127.0.0.1:14318/v1/traces [--requests 200000]
 * Prints one JSON line on stderr: { mode, requests, cpuMicrosPerRequest } (stdout takes the access
 * lines of the `sampled-access-log` mode).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { parseArgs } from "node:util";
import { validateConfig } from "../src/config/validate.ts";
import { Backend } from "../src/pool/backend.ts";
import { startTelemetry } from "../src/telemetry/setup.ts";
import { TELEMETRY_MODES } from "./lib/telemetry-cost.ts";
import type { TelemetryMode } from "./lib/telemetry-cost.ts";

const WARMUP = 20_000;
/** Let the exporter's timers and sockets run now and then, as they would between requests. */
const YIELD_EVERY = 500;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      mode: { type: "string", default: "metrics" },
      otlp: { type: "string", default: "http://127.0.0.1:14318/v1/traces" },
      requests: { type: "string", default: "200000" },
    },
  });
  const mode = values.mode as TelemetryMode;
  if (!(mode in TELEMETRY_MODES))
    throw new Error(`--mode must be one of ${Object.keys(TELEMETRY_MODES).join(", ")}`);
  const requests = Number(values.requests);
  const { config } = validateConfig({
    upstreams: { api: { backends: [{ url: "http://127.0.0.1:7001" }] } },
    telemetry: {
      prometheus: { listen: "127.0.0.1:0" },
      ...(mode === "metrics"
        ? {}
        : { traces: { otlpEndpoint: values.otlp, sampleRatio: mode === "all" ? 1 : 0.1 } }),
    },
    logging: { level: "warn", accessLog: mode === "sampled-access-log", format: "json" },
  });
  const telemetry = await startTelemetry({ telemetry: config.telemetry, logging: config.logging });
  const backend = new Backend({ url: "http://127.0.0.1:7001", weight: 1, backup: false });
  // What a wrk request looks like to the observer: HTTP/1.1 on a plain loopback connection.
  const req = {
    method: "GET",
    url: "/orders/42",
    headers: { host: "api", "user-agent": "wrk" },
    httpVersionMajor: 1,
    httpVersionMinor: 1,
    socket: { remoteAddress: "127.0.0.1", remotePort: 50_000 },
  } as unknown as IncomingMessage;

  const attempt = (obs: ReturnType<typeof telemetry.observer.onRequest>) => (): void => {
    const headers: OutgoingHttpHeaders = { host: "api" };
    obs
      .onAttempt({
        backend,
        upstream: "api",
        method: "GET",
        url: "http://127.0.0.1:7001/orders/42",
        resendCount: 0,
        headers,
      })
      .end({ statusCode: 200 });
    obs.end({ statusCode: 200, backend, retries: 0, bytesIn: 0, bytesOut: 200 });
  };
  const one = (): void => {
    // As the forwarder reports a request (forwarding headers already worked out).
    const obs = telemetry.observer.onRequest({
      req,
      method: "GET",
      route: "/*",
      upstream: "api",
      routeHost: undefined,
      scheme: "http",
      clientAddress: "127.0.0.1",
      authority: "api",
    });
    const rest = attempt(obs);
    if (obs.run) obs.run(rest);
    else rest();
  };

  for (let i = 0; i < WARMUP; i++) one();
  const before = process.cpuUsage();
  for (let i = 0; i < requests; i++) {
    one();
    if (i % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await telemetry.tracerProvider.forceFlush();
  // Everything written: shutdown flushes the access lines still buffered.
  await telemetry.shutdown();
  const cpu = process.cpuUsage(before);
  process.stderr.write(
    `${JSON.stringify({ mode, requests, cpuMicrosPerRequest: (cpu.user + cpu.system) / requests })}\n`,
  );
}

await main();
