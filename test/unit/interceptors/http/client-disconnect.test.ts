import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import { SpanStatusCode } from "@opentelemetry/api";
import express from "express";
import { createHttpServerInterceptor } from "../../../../interceptors/index.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { createHttpTestTelemetry, enableContextManager } from "./http-fixture.ts";

// A client that leaves early: the span and the duration point say the status that was sent, or
// none when no head went out, never an invented 499; error.type says the client left.
describe("server interceptor: a client that disconnects", () => {
  const t = createHttpTestTelemetry();
  let server: Server;
  let port: number;
  let headWritten: () => void = () => {};
  const headSent = new Promise<void>((resolve) => (headWritten = resolve));
  let requestArrived: () => void = () => {};
  const requestSeen = new Promise<void>((resolve) => (requestArrived = resolve));

  before(async () => {
    enableContextManager();
    const app = express();
    app.use(
      createHttpServerInterceptor({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider }),
    );
    // Sends the head and part of the body, never the end.
    app.get("/stream", (_req, res) => {
      res.writeHead(200, { "content-type": "text/plain" });
      res.write("partial", () => headWritten());
    });
    // Never answers.
    app.get("/slow", () => requestArrived());
    server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.shutdown();
  });

  /** Sends GET `path`, waits for `ready`, then drops the connection. */
  async function abandon(path: string, ready: Promise<void>): Promise<void> {
    const req = request({ host: "127.0.0.1", port, path });
    req.on("error", () => {});
    req.end();
    await ready;
    req.destroy();
  }

  it("after the head: the status sent, error.type client_closed, span status Error", async () => {
    await abandon("/stream", headSent);
    await waitFor(() => t.spans().length === 1, { what: "the span", timeoutMs: 5000, intervalMs: 10 });
    const span = t.spans()[0]!;
    assert.equal(span.attributes["http.response.status_code"], 200);
    assert.equal(span.attributes["error.type"], "client_closed");
    assert.equal(span.status.code, SpanStatusCode.ERROR);
  });

  it("before any head: no status at all, error.type client_closed", async () => {
    await abandon("/slow", requestSeen);
    await waitFor(() => t.spans().length === 2, { what: "the span", timeoutMs: 5000, intervalMs: 10 });
    const span = t.spans()[1]!;
    assert.equal(span.attributes["http.response.status_code"], undefined);
    assert.equal(span.attributes["error.type"], "client_closed");
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    const points = (await t.histogramPoints("http.server.request.duration")).map((p) => p.attributes);
    assert.ok(
      points.some((a) => a["http.route"] === "/slow" && !("http.response.status_code" in a)),
      "the duration point has no status code either",
    );
  });
});
