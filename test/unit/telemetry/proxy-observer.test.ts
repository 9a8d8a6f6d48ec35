import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { after, before, describe, it } from "node:test";
import { SpanKind } from "@opentelemetry/api";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type { DataPoint } from "@opentelemetry/sdk-metrics";
import { Backend } from "../../../src/pool/backend.ts";
import { pointWith } from "../interceptors/http/http-fixture.ts";
import { fakeRequest, telemetryUnderTest, type TelemetryUnderTest } from "./telemetry-fixture.ts";

const TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
const a = new Backend({ url: "http://127.0.0.1:7001", weight: 1, backup: false });
const b = new Backend({ url: "http://127.0.0.1:7002", weight: 1, backup: false });

describe("TelemetryProxyObserver", () => {
  let t: TelemetryUnderTest;
  before(async () => {
    t = await telemetryUnderTest();
  });
  after(() => t.telemetry.shutdown());

  async function counter(name: string): Promise<DataPoint<number>[]> {
    const { resourceMetrics } = await t.reader.collect();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics)
        if (m.descriptor.name === name && m.dataPointType !== DataPointType.HISTOGRAM)
          return m.dataPoints as DataPoint<number>[];
    return [];
  }

  it("traces a retried request: one SERVER span continuing the client's trace, a CLIENT span per attempt", async () => {
    const { observer } = t.telemetry;
    const obs = observer.onRequest({
      req: fakeRequest({ traceparent: `00-${TRACE}-00f067aa0ba902b7-01` }),
      method: "GET",
      route: "/orders",
      upstream: "orders",
    });
    const first: OutgoingHttpHeaders = {};
    obs
      .onAttempt({
        backend: a,
        upstream: "orders",
        method: "GET",
        url: `${a.id}/orders/42`,
        resendCount: 0,
        headers: first,
      })
      .end({ statusCode: 502, errorType: "502" });
    const second: OutgoingHttpHeaders = {};
    obs
      .onAttempt({
        backend: b,
        upstream: "orders",
        method: "GET",
        url: `${b.id}/orders/42`,
        resendCount: 1,
        headers: second,
      })
      .end({ statusCode: 200 });
    obs.end({ statusCode: 200, backend: b, retries: 1, bytesIn: 0, bytesOut: 5 });

    await t.telemetry.tracerProvider.forceFlush();
    const spans = t.spans.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    const clients = spans.filter((s) => s.kind === SpanKind.CLIENT);
    assert.equal(server.name, "GET /orders");
    assert.equal(server.spanContext().traceId, TRACE);
    assert.equal(server.parentSpanContext?.spanId, "00f067aa0ba902b7");
    assert.equal(server.attributes["traceway.upstream"], "orders");
    assert.equal(clients.length, 2);
    for (const c of clients) {
      assert.equal(c.spanContext().traceId, TRACE);
      assert.equal(c.parentSpanContext?.spanId, server.spanContext().spanId);
    }
    assert.deepEqual(
      clients.map((c) => [
        c.attributes["traceway.backend"],
        c.attributes["http.request.resend_count"],
        c.attributes["error.type"],
      ]),
      [
        ["127.0.0.1:7001", undefined, "502"],
        ["127.0.0.1:7002", 1, undefined],
      ],
    );
    // Each attempt's upstream request carries its own CLIENT span as the parent.
    assert.equal(first.traceparent, `00-${TRACE}-${clients[0]!.spanContext().spanId}-01`);
    assert.equal(second.traceparent, `00-${TRACE}-${clients[1]!.spanContext().spanId}-01`);

    assert.deepEqual(
      (await counter("traceway.upstream.retries")).map((p) => [p.attributes, p.value]),
      [[{ "traceway.upstream": "orders", "traceway.backend": "127.0.0.1:7002" }, 1]],
    );
    assert.equal(
      pointWith(await counter("traceway.http.response.body"), { "traceway.backend": "127.0.0.1:7002" })
        ?.value,
      5,
    );

    const access = t.logs.lines.filter((l) => l.msg === "access");
    assert.equal(access.length, 1);
    const line = access[0]!;
    assert.deepEqual(
      { ...line, timestamp: typeof line.timestamp, duration_ms: typeof line.duration_ms },
      {
        level: "info",
        timestamp: "string",
        service_name: "traceway-unit",
        method: "GET",
        route: "/orders",
        upstream: "orders",
        backend: "127.0.0.1:7002",
        status: 200,
        duration_ms: "number",
        retries: 1,
        bytes_in: 0,
        bytes_out: 5,
        trace_id: TRACE,
        span_id: server.spanContext().spanId,
        trace_flags: "01",
        msg: "access",
      },
    );
  });

  it("counts a request refused for lack of healthy backends and tags its span with the error code", async () => {
    const obs = t.telemetry.observer.onRequest({
      req: fakeRequest(),
      method: "GET",
      route: "/",
      upstream: "empty",
    });
    obs.end({
      statusCode: 503,
      retries: 0,
      errorCode: "TRACEWAY_ERR_NO_HEALTHY_BACKEND",
      bytesIn: 0,
      bytesOut: 0,
    });
    assert.deepEqual(
      (await counter("traceway.requests.refused")).map((p) => [p.attributes, p.value]),
      [[{ "traceway.upstream": "empty" }, 1]],
    );
    await t.telemetry.tracerProvider.forceFlush();
    const span = t.spans.getFinishedSpans().at(-1)!;
    assert.equal(span.attributes["traceway.error.code"], "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
    assert.equal(span.attributes["error.type"], "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
    assert.equal(t.logs.lines.at(-1)?.error_code, "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
  });

  it("makes the request's SERVER span the active context, so app log lines carry its trace_id until it ends", async () => {
    const logged = await new Promise<{ during: Record<string, unknown>; afterEnd: Record<string, unknown> }>(
      (resolve) =>
        // A fresh async resource stands in for the proxy's request handler.
        setImmediate(() => {
          const obs = t.telemetry.observer.onRequest({
            req: fakeRequest(),
            method: "GET",
            route: "/",
            upstream: "orders",
          });
          // The proxy runs the rest of the request inside `run`, as http-forwarder.ts does.
          assert.equal(typeof obs.run, "function");
          void obs.run?.(() =>
            Promise.resolve().then(() => {
              t.telemetry.logger.info("retrying on another backend");
              const during = t.logs.lines.at(-1)!;
              obs.end({ statusCode: 200, retries: 0, bytesIn: 0, bytesOut: 0 });
              t.telemetry.logger.info("after the request");
              resolve({ during, afterEnd: t.logs.lines.at(-1)! });
            }),
          );
        }),
    );
    assert.match(String(logged.during.trace_id), /^[0-9a-f]{32}$/);
    assert.match(String(logged.during.span_id), /^[0-9a-f]{16}$/);
    assert.equal(logged.afterEnd.msg, "after the request");
    assert.equal(
      logged.afterEnd.trace_id,
      undefined,
      "a finished request's trace does not leak into later lines",
    );
  });
});

describe("TelemetryProxyObserver with logging.accessLog: false", () => {
  it("writes no access line", async () => {
    const t = await telemetryUnderTest({ logging: { accessLog: false } });
    const obs = t.telemetry.observer.onRequest({
      req: fakeRequest(),
      method: "GET",
      route: "/",
      upstream: "u",
    });
    obs.end({ statusCode: 200, retries: 0, bytesIn: 0, bytesOut: 0 });
    await t.telemetry.shutdown();
    assert.deepEqual(
      t.logs.lines.filter((l) => l.msg === "access"),
      [],
    );
  });
});
