import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { telemetryUnderTest, type TelemetryUnderTest } from "../../unit/telemetry/telemetry-fixture.ts";

// The status on a span, a duration point and an access line is one the client was sent: a client
// that leaves after the head keeps that status, one that leaves before gets none (the access log
// says 499, as nginx), and a body cut by the backend after a 200 is an error with its 200.
describe("no status that was never sent", () => {
  let t: TelemetryUnderTest;
  let backend: TestBackend;
  let lb: RunningBalancer;

  before(async () => {
    t = await telemetryUnderTest();
    backend = await startBackend("b", (req, res) => {
      req.resume();
      if (req.url === "/stream") res.writeHead(200).write("partial");
      else if (req.url === "/reset") res.writeHead(200).write("partial", () => res.socket?.destroy());
      // "/slow": no answer at all.
    });
    lb = await startBalancer({
      config: testConfig([testUpstream("api", [backend.url], { retry: { tries: 1, timeoutMs: 0, on: [] } })]),
      observer: t.telemetry.observer,
      logger: t.telemetry.logger,
    });
  });
  after(async () => {
    await lb.close();
    await backend.kill();
    await t.telemetry.shutdown();
  });

  /** GET `path`; `leave` decides when the client drops the connection (never: reads to the end). */
  function get(path: string, leave: "after-head" | "before-head" | "never"): Promise<void> {
    return new Promise((resolve) => {
      const req = request(`${lb.url}${path}`, (res) => {
        if (leave === "after-head") req.destroy();
        res.on("error", () => {});
        res.resume().once("close", () => resolve());
      });
      req.on("error", () => resolve());
      req.end();
      if (leave === "before-head")
        void waitFor(() => backend.requests.some((r) => r.url === path), {
          what: "the backend's request",
        }).then(() => req.destroy());
    });
  }

  async function serverSpan(path: string): Promise<ReadableSpan> {
    return waitFor(
      async () => {
        await t.telemetry.tracerProvider.forceFlush();
        return t.spans
          .getFinishedSpans()
          .find((s) => s.kind === SpanKind.SERVER && s.attributes["url.path"] === path);
      },
      { what: `the SERVER span of ${path}`, timeoutMs: 5000, intervalMs: 20 },
    );
  }

  function accessLine(path: string, route = "/*"): Record<string, unknown> | undefined {
    const lines = t.logs.lines.filter((l) => l["msg"] === "access" && l["route"] === route);
    return lines.find((l) => l["span_id"] === spanIds.get(path));
  }
  const spanIds = new Map<string, string>();

  it("a client that leaves after the head: the status it was sent, error.type, span status Error", async () => {
    await get("/stream", "after-head");
    const span = await serverSpan("/stream");
    spanIds.set("/stream", span.spanContext().spanId);
    assert.equal(span.attributes["http.response.status_code"], 200);
    assert.equal(span.attributes["error.type"], "TRACEWAY_ERR_CLIENT_CLOSED");
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    assert.equal(accessLine("/stream")?.["status"], 200);
  });

  it("a client that leaves before the head: no status code at all; the access line says 499", async () => {
    await get("/slow", "before-head");
    const span = await serverSpan("/slow");
    spanIds.set("/slow", span.spanContext().spanId);
    assert.equal(span.attributes["http.response.status_code"], undefined);
    assert.equal(span.attributes["error.type"], "TRACEWAY_ERR_CLIENT_CLOSED");
    assert.equal(span.status.code, SpanStatusCode.ERROR);
    const line = await waitFor(() => accessLine("/slow"), { what: "its access line" });
    assert.equal(line["status"], 499);
    assert.equal(line["error_code"], "TRACEWAY_ERR_CLIENT_CLOSED");
  });

  it("a backend that resets mid-body after a 200: the 200, error.type, span status Error", async () => {
    await get("/reset", "never");
    const span = await serverSpan("/reset");
    assert.equal(span.attributes["http.response.status_code"], 200);
    assert.equal(span.attributes["error.type"], "TRACEWAY_ERR_UPSTREAM_RESET");
    assert.equal(span.status.code, SpanStatusCode.ERROR);
  });

  it("the duration points say the same: no status where none was sent", async () => {
    const { resourceMetrics } = await t.reader.collect();
    const metric = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === "http.server.request.duration");
    const points = (metric?.dataPoints ?? []).map((p) => {
      const status = p.attributes["http.response.status_code"];
      return `${typeof status === "number" ? status : "no status"} ${String(p.attributes["error.type"])}`;
    });
    assert.deepEqual(points.sort(), [
      "200 TRACEWAY_ERR_CLIENT_CLOSED",
      "200 TRACEWAY_ERR_UPSTREAM_RESET",
      "no status TRACEWAY_ERR_CLIENT_CLOSED",
    ]);
  });
});
