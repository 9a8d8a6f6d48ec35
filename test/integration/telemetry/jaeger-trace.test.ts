import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import express from "express";
import { createHttpServerInterceptor } from "../../../interceptors/index.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startTelemetry, type Telemetry } from "../../../src/telemetry/setup.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { ensureServices, JAEGER_OTLP_HTTP, JAEGER_QUERY } from "../../helpers/services.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const BALANCER_SERVICE = `traceway-it-${randomBytes(3).toString("hex")}`;
const BACKEND_SERVICE = `orders-backend-${randomBytes(3).toString("hex")}`;

interface JaegerSpan {
  readonly service: string;
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: string;
  readonly attributes: Record<string, string | number>;
}

/** Jaeger's v3 JSON may carry ids as hex or base64; normalise to lower-case hex. */
function hexId(id: string | undefined): string {
  if (id === undefined || id === "") return "";
  return /^[0-9a-f]+$/i.test(id) ? id.toLowerCase() : Buffer.from(id, "base64").toString("hex");
}

function kindName(kind: unknown): string {
  const names = ["UNSPECIFIED", "INTERNAL", "SERVER", "CLIENT", "PRODUCER", "CONSUMER"];
  return typeof kind === "number" ? (names[kind] ?? String(kind)) : String(kind).replace("SPAN_KIND_", "");
}

type OtlpValue = { stringValue?: string; intValue?: string | number };
type OtlpAttr = { key: string; value: OtlpValue };

/** Every span of a trace from Jaeger's `/api/v3/traces/{id}`, flattened. */
async function jaegerTrace(traceId: string): Promise<JaegerSpan[]> {
  const res = await fetch(`${JAEGER_QUERY}/api/v3/traces/${traceId}`, { signal: AbortSignal.timeout(5000) });
  if (res.status === 404) return [];
  const body = (await res.json()) as {
    result?: {
      resourceSpans?: {
        resource?: { attributes?: OtlpAttr[] };
        scopeSpans?: {
          spans?: {
            spanId: string;
            parentSpanId?: string;
            name: string;
            kind: unknown;
            attributes?: OtlpAttr[];
          }[];
        }[];
      }[];
    };
  };
  const attrs = (list: OtlpAttr[] | undefined): Record<string, string | number> =>
    Object.fromEntries(
      (list ?? []).map((a) => [a.key, a.value.stringValue ?? Number(a.value.intValue)] as const),
    );
  return (body.result?.resourceSpans ?? []).flatMap((rs) => {
    const service = String(attrs(rs.resource?.attributes)["service.name"]);
    return (rs.scopeSpans ?? []).flatMap((ss) =>
      (ss.spans ?? []).map((s) => ({
        service,
        spanId: hexId(s.spanId),
        parentSpanId: hexId(s.parentSpanId),
        name: s.name,
        kind: kindName(s.kind),
        attributes: attrs(s.attributes),
      })),
    );
  });
}

describe("One trace in Jaeger: balancer SERVER span, a CLIENT span per attempt, the backend's span", () => {
  let failing: TestBackend;
  let orders: Server;
  let ordersProvider: TracerProvider;
  let telemetry: Telemetry;
  let balancer: RunningBalancer;

  before(async () => {
    await ensureServices("jaeger");
    failing = await startBackend("failing", (req, res) => {
      req.resume();
      res.writeHead(502).end();
    });
    // A service of the user's, continuing the trace with traceway's own server interceptor.
    ordersProvider = new TracerProvider({
      resource: resourceFromAttributes({ "service.name": BACKEND_SERVICE }),
      spanProcessors: [
        new SimpleSpanProcessor({
          exporter: new OTLPTraceExporter({ url: `${JAEGER_OTLP_HTTP}/v1/traces` }),
        }),
      ],
    });
    const app = express();
    app.use(createHttpServerInterceptor({ tracerProvider: ordersProvider }));
    app.get("/orders/:id", (_req, res) => {
      res.send("order");
    });
    orders = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => orders.once("listening", resolve));
    const ordersUrl = `http://127.0.0.1:${(orders.address() as AddressInfo).port}`;

    const base = testConfig([testUpstream("orders", [failing.url, ordersUrl], { strategy: "round_robin" })]);
    const config = {
      ...base,
      telemetry: {
        ...base.telemetry,
        serviceName: BALANCER_SERVICE,
        traces: { enabled: true, otlpEndpoint: JAEGER_OTLP_HTTP, sampleRatio: 1 },
      },
    };
    telemetry = await startTelemetry(config, { scheduledDelayMillis: 200 });
    balancer = await startBalancer({ config, observer: telemetry.observer, logger: telemetry.logger });
  });
  after(async () => {
    await balancer.close();
    await telemetry.shutdown();
    await ordersProvider.shutdown();
    await new Promise<void>((resolve) => orders.close(() => resolve()));
    await failing.kill();
  });

  it("shows the 502 attempt and its retry (resend_count 1) under the SERVER span, and the backend below the retry", async () => {
    // Round robin starts with either backend; two requests make sure one meets the failing one first.
    const traceIds = [randomBytes(16).toString("hex"), randomBytes(16).toString("hex")];
    for (const traceId of traceIds) {
      const res = await httpGet(`${balancer.url}/orders/7`, {
        headers: { traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
      });
      assert.equal(res.status, 200);
    }
    assert.equal(failing.requests.length, 1);
    await telemetry.tracerProvider.forceFlush();
    await ordersProvider.forceFlush();

    const spans = await waitFor(
      async () => {
        for (const traceId of traceIds) {
          const found = await jaegerTrace(traceId);
          if (found.filter((s) => s.kind === "CLIENT").length === 2 && found.length === 4) return found;
        }
        return undefined;
      },
      { what: "the retried request's 4-span trace in Jaeger", timeoutMs: 30_000, intervalMs: 500 },
    );
    const server = spans.find((s) => s.kind === "SERVER" && s.service === BALANCER_SERVICE)!;
    const clients = spans.filter((s) => s.kind === "CLIENT");
    const backend = spans.find((s) => s.service === BACKEND_SERVICE)!;
    assert.ok(server, "balancer SERVER span");
    assert.equal(server.attributes["traceway.upstream"], "orders");
    for (const c of clients)
      assert.equal(c.parentSpanId, server.spanId, "attempts are children of the SERVER span");
    const [first, retry] = [...clients].sort(
      (a, b) =>
        Number(a.attributes["http.request.resend_count"] ?? 0) -
        Number(b.attributes["http.request.resend_count"] ?? 0),
    );
    assert.equal(first!.attributes["error.type"], "502");
    assert.equal(first!.attributes["traceway.backend"], `127.0.0.1:${failing.port}`);
    assert.equal(retry!.attributes["http.request.resend_count"], 1);
    assert.equal(retry!.attributes["http.response.status_code"], 200);
    assert.equal(backend.kind, "SERVER");
    assert.equal(backend.name, "GET /orders/:id");
    assert.equal(
      backend.parentSpanId,
      retry!.spanId,
      "the backend continues the trace from the retry attempt",
    );
  });
});
