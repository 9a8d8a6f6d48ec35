import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace";
import express from "express";
import { createHttpClientInterceptor, createHttpServerInterceptor } from "../../../interceptors/index.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { PullMetricReader } from "./http/http-fixture.ts";

// The way most users set OpenTelemetry up: NodeSDK registers the global providers and context
// manager, and the interceptors, given no providers, record into those globals.
process.env["OTEL_LOGS_EXPORTER"] = "none";
const exporter = new InMemorySpanExporter();
const reader = new PullMetricReader();
const sdk = new NodeSDK({
  serviceName: "interop",
  autoDetectResources: false,
  instrumentations: [],
  spanProcessors: [new SimpleSpanProcessor({ exporter })],
  metricReaders: [reader],
});
sdk.start();

const client = createHttpClientInterceptor();
let sent: OutgoingHttpHeaders | undefined;
const app = express();
app.use(createHttpServerInterceptor());
app.get("/orders", async (_req, res) => {
  await client.intercept({ method: "GET", url: "http://10.0.0.7:8081/stock", headers: {} }, (headers) => {
    sent = headers;
    return Promise.resolve({ status: 200 });
  });
  res.send("ok");
});
const server = app.listen(0, "127.0.0.1");
after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await sdk.shutdown();
});

void test("under NodeSDK the interceptors record into the global providers and nest in its context", async () => {
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", resolve)));
  const { port } = server.address() as AddressInfo;
  assert.equal(await (await fetch(`http://127.0.0.1:${port}/orders`)).text(), "ok");
  const spans = await waitFor(() => exporter.getFinishedSpans().length === 2 && exporter.getFinishedSpans(), {
    what: "the server and client spans",
  });
  const [clientSpan, serverSpan] = spans;
  assert.equal(
    clientSpan?.parentSpanContext?.spanId,
    serverSpan?.spanContext().spanId,
    "client nests in server",
  );
  assert.equal(
    String(sent?.["traceparent"]).split("-")[1],
    serverSpan?.spanContext().traceId,
    "context injected",
  );
  assert.equal(serverSpan?.resource.attributes["service.name"], "interop");

  const { resourceMetrics } = await reader.collect();
  const names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name)).sort();
  assert.deepEqual(names, ["http.client.request.duration", "http.server.request.duration"]);
});
