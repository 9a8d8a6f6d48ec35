import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import type { Attributes } from "@opentelemetry/api";
import type { Histogram } from "@opentelemetry/sdk-metrics";
import { runHttpScenario, type HttpScenario } from "./http-scenario.ts";

// A 404 for no route, a request the parser refused and a WebSocket upgrade are requests too: each
// gets the SERVER span, the http.server.request.duration point and the access line a proxied
// request gets, so a ratio over all requests (the 5xx share) has the right denominator.
describe("every request is counted", () => {
  let s: HttpScenario;
  before(async () => {
    s = await runHttpScenario();
  });

  function serverPoints(): { attributes: Attributes; count: number }[] {
    const metric = s.metrics.find((m) => m.descriptor.name === "http.server.request.duration");
    assert.ok(metric, "http.server.request.duration was recorded");
    return metric.dataPoints.map((p) => ({ attributes: p.attributes, count: (p.value as Histogram).count }));
  }

  it("in the duration histogram, the SERVER spans and the access log alike", () => {
    const counted = serverPoints().reduce((n, p) => n + p.count, 0);
    const servers = s.spans.filter((span) => span.kind === SpanKind.SERVER);
    assert.equal(counted, s.requests);
    assert.equal(servers.length, s.requests);
    assert.equal(s.access.length, s.requests);
  });

  it("a request no route matches: 404, no route and no upstream, and not a server error", () => {
    const point = serverPoints().find((p) => p.attributes["http.response.status_code"] === 404);
    assert.deepEqual(point?.attributes, {
      "http.request.method": "GET",
      "url.scheme": "http",
      "http.response.status_code": 404,
      "network.protocol.version": "1.1",
    });
    const span = s.spans.find((sp) => sp.attributes["traceway.error.code"] === "TRACEWAY_ERR_NO_ROUTE");
    assert.equal(span?.name, "GET");
    assert.equal(span?.status.code, SpanStatusCode.UNSET, "a 4xx is the client's error");
    const line = s.access.find((l) => l["error_code"] === "TRACEWAY_ERR_NO_ROUTE");
    assert.equal(line?.["status"], 404);
  });

  it("a request the HTTP parser refused: its 400, method _OTHER, and an access line", () => {
    const point = serverPoints().find((p) => p.attributes["http.response.status_code"] === 400);
    assert.deepEqual(point?.attributes, {
      "http.request.method": "_OTHER",
      "url.scheme": "http",
      "http.response.status_code": 400,
    });
    const span = s.spans.find((sp) => sp.attributes["traceway.error.code"] === "TRACEWAY_ERR_BAD_REQUEST");
    assert.equal(span?.name, "HTTP");
    assert.equal(span?.kind, SpanKind.SERVER);
    const line = s.access.find((l) => l["error_code"] === "TRACEWAY_ERR_BAD_REQUEST");
    assert.equal(line?.["status"], 400);
    assert.equal(line?.["method"], undefined, "the parser never read one");
  });

  it("a WebSocket upgrade: its 101 under the route and upstream, and a CLIENT span for the attempt", () => {
    const point = serverPoints().find((p) => p.attributes["http.response.status_code"] === 101);
    assert.equal(point?.attributes["http.route"], "/*");
    assert.equal(point?.attributes["traceway.upstream"], "api");
    const server = s.spans.find((sp) => sp.kind === SpanKind.SERVER && sp.attributes["url.path"] === "/chat");
    const client = s.spans.find(
      (sp) => sp.kind === SpanKind.CLIENT && sp.attributes["url.full"]?.toString().endsWith("/chat"),
    );
    assert.equal(server?.name, "GET /*");
    assert.equal(client?.attributes["http.response.status_code"], 101);
    assert.equal(client?.parentSpanContext?.spanId, server?.spanContext().spanId);
    // The backend continues the trace below the attempt, as for any proxied request.
    const { traceId, spanId } = client.spanContext();
    assert.equal(s.upgradeTraceparent, `00-${traceId}-${spanId}-01`);
    assert.equal(s.access.find((l) => l["status"] === 101)?.["upstream"], "api");
  });
});
