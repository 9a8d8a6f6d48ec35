import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import { findTrace, findTraces, waitForTrace } from "../../helpers/jaeger.ts";
import { JAEGER_OTLP_HTTP, REPO_ROOT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// Proves the Jaeger v2 that scripts/jaeger.sh builds and runs accepts OTLP/HTTP protobuf from the real
// OpenTelemetry SDK and serves the span back through /api/v3 (search and get-by-id).
const service = `traceway-jaeger-probe-${randomUUID()}`;
let provider: TracerProvider;

before(async () => {
  // Normally instant (npm test has already started it); a cold first build takes minutes, hence the bound.
  await promisify(execFile)("bash", [join(REPO_ROOT, "scripts", "jaeger.sh"), "up"], {
    cwd: REPO_ROOT,
    timeout: 40 * 60_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  provider = new TracerProvider({
    resource: resourceFromAttributes({ "service.name": service }),
    spanProcessors: [
      new SimpleSpanProcessor({ exporter: new OTLPTraceExporter({ url: `${JAEGER_OTLP_HTTP}/v1/traces` }) }),
    ],
  });
});

after(async () => {
  await provider?.shutdown();
});

void test("a span exported over OTLP/HTTP is found by service search and by trace id", async () => {
  const startMin = new Date(Date.now() - 60_000);
  const span = provider.getTracer("jaeger-probe").startSpan("probe-operation", {
    kind: SpanKind.CLIENT,
    attributes: { "probe.text": "hello", "probe.count": 3, "probe.flag": true },
  });
  span.setStatus({ code: SpanStatusCode.ERROR, message: "on purpose" });
  span.end();
  const { traceId, spanId } = span.spanContext();
  await provider.forceFlush();

  const found = await waitFor(
    async () => {
      const spans = await findTraces({ service, startMin, startMax: new Date(Date.now() + 60_000) });
      return spans.length > 0 ? spans : undefined;
    },
    { what: `a trace of service ${service} in Jaeger`, timeoutMs: 15_000, intervalMs: 200 },
  );
  assert.equal(found.length, 1);
  const [searched] = found;
  assert.equal(searched?.name, "probe-operation");
  assert.equal(searched.traceId, traceId);
  assert.equal(searched.spanId, spanId);
  assert.equal(searched.parentSpanId, undefined);
  assert.equal(searched.kind, "client");
  assert.equal(searched.serviceName, service);
  assert.equal(searched.scopeName, "jaeger-probe");
  assert.deepEqual(searched.status, { code: "error", message: "on purpose" });
  assert.equal(searched.attributes["probe.text"], "hello");
  assert.equal(searched.attributes["probe.count"], 3);
  assert.equal(searched.attributes["probe.flag"], true);

  const [byId] = await waitForTrace(traceId);
  assert.equal(byId?.spanId, spanId);
  assert.equal(byId.name, "probe-operation");
});

void test("an unknown trace id yields no spans rather than an error", async () => {
  assert.deepEqual(await findTrace(randomUUID().replaceAll("-", "")), []);
});
