import assert from "node:assert/strict";
import { request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import express from "express";
import { createHttpServerInterceptor } from "../../../../interceptors/index.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { createHttpTestTelemetry, enableContextManager } from "./http-fixture.ts";

describe("server span: the HTTP semconv's recommended attributes", () => {
  const t = createHttpTestTelemetry();
  let server: Server;
  let port: number;

  before(async () => {
    enableContextManager();
    const app = express();
    app.use(
      createHttpServerInterceptor({ tracerProvider: t.tracerProvider, meterProvider: t.meterProvider }),
    );
    app.get("/orders/:id", (_req, res) => res.send("ok"));
    server = app.listen(0, "127.0.0.1");
    await new Promise<void>((resolve) => server.once("listening", resolve));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await t.shutdown();
  });

  it("records path, redacted query, scheme, server and client addresses, protocol and user agent", async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port,
          path: "/orders/7?q=shoes&token=s3cr3t",
          headers: { host: "shop.example:8443", "user-agent": "curl/8.5.0" },
        },
        (res) => res.resume().once("end", resolve),
      );
      req.once("error", reject).end();
    });
    await waitFor(() => t.spans().length === 1, { what: "the server span", timeoutMs: 5000, intervalMs: 10 });
    const { attributes } = t.spans()[0]!;
    assert.equal(attributes["url.path"], "/orders/7");
    assert.equal(attributes["url.query"], "q=shoes&token=REDACTED");
    assert.equal(attributes["url.scheme"], "http");
    assert.equal(attributes["server.address"], "shop.example");
    assert.equal(attributes["server.port"], 8443);
    assert.equal(attributes["client.address"], "127.0.0.1");
    assert.equal(attributes["network.peer.address"], "127.0.0.1");
    assert.equal(typeof attributes["network.peer.port"], "number");
    assert.equal(attributes["network.protocol.version"], "1.1");
    assert.equal(attributes["user_agent.original"], "curl/8.5.0");
    assert.equal(attributes["http.request.method_original"], undefined, "GET is GET");
    // None of the request-specific values reaches a metric label.
    const [point] = (await t.histogramPoints("http.server.request.duration")).map((p) => p.attributes);
    assert.deepEqual(Object.keys(point!).sort(), [
      "http.request.method",
      "http.response.status_code",
      "http.route",
      "network.protocol.version",
      "url.scheme",
    ]);
  });
});
