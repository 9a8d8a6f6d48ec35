import assert from "node:assert/strict";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import express from "express";
import { createHttpServerInterceptor } from "../../../../interceptors/index.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { createHttpTestTelemetry, enableContextManager } from "./http-fixture.ts";

const INCOMING_TRACE = "0af7651916cd43dd8448eb211c80319c";
const INCOMING_PARENT = "b7ad6b7169203331";

describe("createHttpServerInterceptor (Express middleware)", () => {
  const t = createHttpTestTelemetry();
  let server: Server;
  let base: string;
  const seenInHandler: string[] = [];

  before(async () => {
    enableContextManager();
    const app = express();
    app.use(
      createHttpServerInterceptor({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider }),
    );
    app.get("/orders/:id", (_req, res) => {
      // The handler runs with the server span active, so its own spans and logs join the trace.
      seenInHandler.push(trace.getActiveSpan()?.spanContext().traceId ?? "none");
      res.send("ok");
    });
    app.get("/fail", (_req, res) => {
      res.status(503).send("down");
    });
    server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.shutdown();
  });

  const spanCount = (n: number): Promise<true> =>
    waitFor(() => t.spans().length >= n, { what: `${n} finished spans`, timeoutMs: 5000, intervalMs: 10 });

  it("continues an incoming W3C trace with a SERVER span named after the route template", async () => {
    const res = await fetch(`${base}/orders/42?secret=1`, {
      headers: { traceparent: `00-${INCOMING_TRACE}-${INCOMING_PARENT}-01` },
    });
    assert.equal(await res.text(), "ok");
    await spanCount(1);
    const span = t.spans()[0]!;
    assert.equal(span.name, "GET /orders/:id");
    assert.equal(span.kind, SpanKind.SERVER);
    assert.equal(span.spanContext().traceId, INCOMING_TRACE);
    assert.equal(span.parentSpanContext?.spanId, INCOMING_PARENT);
    assert.equal(span.attributes["http.route"], "/orders/:id");
    assert.equal(span.attributes["url.path"], "/orders/42");
    assert.equal(span.attributes["http.response.status_code"], 200);
    assert.deepEqual(seenInHandler, [INCOMING_TRACE]);
  });

  it("names unmatched requests after the method only and marks 5xx as errors", async () => {
    await (await fetch(`${base}/nowhere/123`)).text();
    await (await fetch(`${base}/fail`)).text();
    await spanCount(3);
    const [unmatched, failed] = t.spans().slice(1);
    assert.equal(unmatched!.name, "GET");
    assert.equal(unmatched!.attributes["http.route"], undefined);
    assert.equal(unmatched!.attributes["http.response.status_code"], 404);
    assert.equal(unmatched!.status.code, SpanStatusCode.UNSET, "4xx is not a server error");
    assert.equal(failed!.name, "GET /fail");
    assert.equal(failed!.attributes["error.type"], "503");
    assert.equal(failed!.status.code, SpanStatusCode.ERROR);
  });

  it("records http.server.request.duration by route template, never by raw path", async () => {
    const data = await t.metric("http.server.request.duration");
    assert.equal(data?.descriptor.unit, "s");
    const attributes = data.dataPoints
      .map((p) => p.attributes)
      .sort((a, b) =>
        String(a["http.response.status_code"]).localeCompare(String(b["http.response.status_code"])),
      );
    // url.scheme is Required, network.protocol.version Recommended (semconv http.server.request.duration).
    const connection = { "url.scheme": "http", "network.protocol.version": "1.1" };
    assert.deepEqual(attributes, [
      {
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "http.route": "/orders/:id",
        ...connection,
      },
      { "http.request.method": "GET", "http.response.status_code": 404, ...connection },
      {
        "http.request.method": "GET",
        "http.response.status_code": 503,
        "http.route": "/fail",
        "error.type": "503",
        ...connection,
      },
    ]);
  });
});
