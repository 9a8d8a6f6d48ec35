import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Span, TextMapPropagator, Tracer, TracerProvider } from "@opentelemetry/api";
import { createHttpClientInterceptor, createHttpServerInterceptor } from "../../../../interceptors/index.ts";

/** A tracer whose spans throw on every call: a broken SDK or exporter. */
function brokenTracerProvider(): TracerProvider {
  const fail = (): never => {
    throw new Error("broken span");
  };
  const span = new Proxy({} as Span, {
    get: (_t, key) =>
      key === "spanContext"
        ? () => ({ traceId: "0".repeat(32), spanId: "0".repeat(16), traceFlags: 0 })
        : fail,
  });
  const tracer = { startSpan: () => span } as unknown as Tracer;
  return { getTracer: () => tracer };
}

const throwingPropagator: TextMapPropagator = {
  inject: () => {
    throw new Error("inject");
  },
  extract: (ctx) => ctx,
  fields: () => [],
};

describe("HTTP interceptors never break traffic", () => {
  it("a client call whose span and propagator throw still starts and ends without throwing", () => {
    const client = createHttpClientInterceptor({
      tracerProvider: brokenTracerProvider(),
      propagator: throwingPropagator,
    });
    const call = client.start({ method: "GET", url: "http://a:1/", headers: {} });
    assert.doesNotThrow(() => call.end({ statusCode: 500 }));
  });

  it("middleware whose tracer throws still calls next, and a handler's error is re-thrown unchanged", () => {
    const middleware = createHttpServerInterceptor({
      tracerProvider: {
        getTracer: () =>
          ({
            startSpan: () => {
              throw new Error("tracer");
            },
          }) as unknown as Tracer,
      },
    });
    const req = { method: "GET", url: "/", headers: {}, socket: {} } as unknown as IncomingMessage;
    const res = { once() {}, off() {} } as unknown as ServerResponse;
    let called = 0;
    middleware(req, res, () => called++);
    assert.equal(called, 1);

    const healthy = createHttpServerInterceptor({});
    const boom = new Error("handler");
    assert.throws(
      () =>
        healthy(req, res, () => {
          throw boom;
        }),
      (err) => err === boom,
    );
  });
});
