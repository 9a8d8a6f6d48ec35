import assert from "node:assert/strict";
import type { OutgoingHttpHeaders } from "node:http";
import { after, describe, it } from "node:test";
import { SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { createHttpClientInterceptor } from "../../../../interceptors/index.ts";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { bucketOf, createHttpTestTelemetry, pointWith } from "./http-fixture.ts";

describe("createHttpClientInterceptor", () => {
  const t = createHttpTestTelemetry();
  const clock = new ManualClock(1000);
  const client = createHttpClientInterceptor({
    tracerProvider: t.tracerProvider,
    meterProvider: t.meterProvider,
    clock,
  });
  after(() => t.shutdown());

  it("starts a CLIENT span per stable semconv and injects W3C trace context into the headers", () => {
    const headers: OutgoingHttpHeaders = {};
    const call = client.start({
      method: "GET",
      url: "http://10.0.0.7:8081/orders/42?x=1",
      headers,
      upstream: "orders",
      backend: "10.0.0.7:8081",
    });
    call.end({ statusCode: 200 });
    const span = t.spans().at(-1)!;
    assert.equal(span.name, "GET");
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.deepEqual(span.attributes, {
      "http.request.method": "GET",
      "server.address": "10.0.0.7",
      "server.port": 8081,
      "url.full": "http://10.0.0.7:8081/orders/42?x=1",
      "traceway.upstream": "orders",
      "traceway.backend": "10.0.0.7:8081",
      "http.response.status_code": 200,
    });
    const { traceId, spanId } = span.spanContext();
    assert.equal(headers.traceparent, `00-${traceId}-${spanId}-01`);
  });

  it("sets http.request.resend_count only on resends, and marks 5xx and errors as error.type", () => {
    const first = client.start({ method: "GET", url: "http://a:80/", headers: {} });
    first.end({ statusCode: 502, errorType: "502" });
    const second = client.start({ method: "GET", url: "http://b:80/", headers: {}, resendCount: 1 });
    second.end({ errorType: "connect_error" });
    const [a, b] = t.spans().slice(-2);
    assert.equal(a!.attributes["http.request.resend_count"], undefined);
    assert.equal(a!.attributes["error.type"], "502");
    assert.equal(a!.status.code, SpanStatusCode.ERROR);
    assert.equal(b!.attributes["http.request.resend_count"], 1);
    assert.equal(b!.attributes["error.type"], "connect_error");
    assert.equal(b!.attributes["http.response.status_code"], undefined);
  });

  it("records http.client.request.duration in seconds, a 200 ms call in the (0.1, 0.25] bucket", async () => {
    const call = client.start({
      method: "POST",
      url: "http://slow:9000/",
      headers: {},
      backend: "slow:9000",
    });
    clock.advance(200);
    call.end({ statusCode: 201 });
    const point = pointWith(await t.histogramPoints("http.client.request.duration"), {
      "traceway.backend": "slow:9000",
    });
    assert.ok(point, "a duration point for the backend");
    assert.deepEqual(point.attributes, {
      "http.request.method": "POST",
      "server.address": "slow",
      "server.port": 9000,
      "traceway.backend": "slow:9000",
      "http.response.status_code": 201,
    });
    assert.equal(point.value.count, 1);
    assert.equal(point.value.sum, 0.2);
    const boundaries = point.value.buckets.boundaries;
    const bucket = bucketOf(point.value, 0.2);
    assert.deepEqual([boundaries[bucket - 1], boundaries[bucket]], [0.1, 0.25]);
    assert.equal(point.value.buckets.counts[bucket], 1);
  });

  it("maps unknown methods to _OTHER and keeps the original on the span only", async () => {
    client
      .start({ method: "PURGE", url: "http://c:80/", headers: {}, backend: "c:80" })
      .end({ statusCode: 200 });
    const span = t.spans().at(-1)!;
    assert.equal(span.name, "HTTP");
    assert.equal(span.attributes["http.request.method"], "_OTHER");
    assert.equal(span.attributes["http.request.method_original"], "PURGE");
    const point = pointWith(await t.histogramPoints("http.client.request.duration"), {
      "traceway.backend": "c:80",
    });
    assert.equal(point?.attributes["http.request.method"], "_OTHER");
    assert.equal(point?.attributes["http.request.method_original"], undefined);
  });

  it("ignores a second end()", () => {
    const before = t.spans().length;
    const call = client.start({ method: "GET", url: "http://d:80/", headers: {} });
    call.end({ statusCode: 200 });
    call.end({ statusCode: 500 });
    assert.equal(t.spans().length, before + 1);
    assert.equal(t.spans().at(-1)!.attributes["http.response.status_code"], 200);
  });

  it("intercept() hands the send function trace headers and re-throws its error unchanged", async () => {
    let sent: OutgoingHttpHeaders | undefined;
    const result = await client.intercept(
      { method: "GET", url: "http://e:80/", headers: { accept: "x" } },
      (h) => {
        sent = h;
        return Promise.resolve({ status: 204 });
      },
    );
    assert.deepEqual(result, { status: 204 });
    assert.equal(sent?.accept, "x");
    assert.match(String(sent?.traceparent), /^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    assert.equal(t.spans().at(-1)!.attributes["http.response.status_code"], 204);

    const boom = Object.assign(new Error("refused"), { code: "ECONNREFUSED" });
    await assert.rejects(
      client.intercept({ method: "GET", url: "http://f:80/", headers: {} }, () => Promise.reject(boom)),
      (err) => err === boom,
    );
    assert.equal(t.spans().at(-1)!.attributes["error.type"], "ECONNREFUSED");
  });
});
