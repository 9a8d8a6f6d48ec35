import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { SpanKind } from "@opentelemetry/api";
import { createHttpClientInterceptor, instrumentFetch } from "../../../../interceptors/index.ts";
import { startBackend, type TestBackend } from "../../../helpers/http-backend.ts";
import { createHttpTestTelemetry } from "./http-fixture.ts";

describe("instrumentFetch", () => {
  const t = createHttpTestTelemetry();
  let backend: TestBackend;
  before(async () => {
    backend = await startBackend("b");
  });
  after(async () => {
    await backend.kill();
    await t.shutdown();
  });

  it("sends trace context with the caller's headers and records one CLIENT span with the status", async () => {
    const tracedFetch = instrumentFetch(createHttpClientInterceptor({ tracerProvider: t.tracerProvider }));
    const res = await tracedFetch(`${backend.url}/items?q=1`, { headers: { "x-caller": "yes" } });
    assert.equal(await res.text(), "b");
    const received = backend.requests[0]!;
    assert.equal(received.headers["x-caller"], "yes");
    const span = t.spans()[0]!;
    assert.equal(span.kind, SpanKind.CLIENT);
    assert.equal(
      received.headers.traceparent,
      `00-${span.spanContext().traceId}-${span.spanContext().spanId}-01`,
    );
    assert.equal(span.attributes["url.full"], `${backend.url}/items?q=1`);
    assert.equal(span.attributes["server.port"], backend.port);
    assert.equal(span.attributes["http.response.status_code"], 200);
  });
});
