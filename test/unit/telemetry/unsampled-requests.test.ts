import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { after, before, describe, it } from "node:test";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import { Backend } from "../../../src/pool/backend.ts";
import { fakeRequest, telemetryUnderTest, type TelemetryUnderTest } from "./telemetry-fixture.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const backend = new Backend({ url: "http://127.0.0.1:7001", weight: 1, backup: false });

/** One proxied request with one attempt; returns the headers sent upstream. */
function proxyOnce(t: TelemetryUnderTest, headers: Record<string, string>): OutgoingHttpHeaders {
  const obs = t.telemetry.observer.onRequest({
    req: fakeRequest(headers),
    method: "GET",
    route: "/",
    upstream: "api",
  });
  const upstreamHeaders: OutgoingHttpHeaders = {};
  obs
    .onAttempt({
      backend,
      upstream: "api",
      method: "GET",
      url: `${backend.id}/orders`,
      resendCount: 0,
      headers: upstreamHeaders,
    })
    .end({ statusCode: 200 });
  obs.end({ statusCode: 200, backend, retries: 0, bytesIn: 0, bytesOut: 3 });
  return upstreamHeaders;
}

describe("an unsampled request through the balancer", () => {
  let t: TelemetryUnderTest;
  before(async () => {
    t = await telemetryUnderTest({
      telemetry: { traces: { enabled: true, otlpEndpoint: "", sampleRatio: 1 } },
      logging: { level: "info", accessLog: true, format: "json" },
    });
  });
  after(() => t.telemetry.shutdown());

  it("exports no span, yet sends the backend the client's trace with the sampled flag off", async () => {
    const sent = proxyOnce(t, { traceparent: `00-${TRACE}-00f067aa0ba902b7-00`, tracestate: "k=v" });
    // No CLIENT span was made: the backend's parent is the (unrecorded) SERVER span of the log line.
    const access = t.logs.lines.filter((l) => l.msg === "access").at(-1)!;
    assert.equal(access.trace_id, TRACE);
    assert.equal(sent.traceparent, `00-${TRACE}-${String(access.span_id)}-00`);
    assert.notEqual(access.span_id, "00f067aa0ba902b7");
    assert.equal(sent.tracestate, "k=v");
    await t.telemetry.tracerProvider.forceFlush();
    assert.deepEqual(t.spans.getFinishedSpans(), []);
  });

  it("still records both duration histograms", async () => {
    proxyOnce(t, { traceparent: `00-${TRACE}-00f067aa0ba902b7-00` });
    const { resourceMetrics } = await t.reader.collect();
    const counts = new Map<string, number>();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics)
        if (m.dataPointType === DataPointType.HISTOGRAM)
          counts.set(
            m.descriptor.name,
            m.dataPoints.reduce((sum, p) => sum + p.value.count, 0),
          );
    assert.equal(counts.get("http.server.request.duration"), 2);
    assert.equal(counts.get("http.client.request.duration"), 2);
  });

  it("a sampled request next to it still gets its SERVER and CLIENT spans", async () => {
    const sent = proxyOnce(t, { traceparent: `00-${TRACE}-00f067aa0ba902b7-01` });
    await t.telemetry.tracerProvider.forceFlush();
    const spans = t.spans.getFinishedSpans();
    assert.equal(spans.length, 2);
    const client = spans.find((s) => s.name === "GET")!;
    assert.equal(sent.traceparent, `00-${TRACE}-${client.spanContext().spanId}-01`);
  });
});
