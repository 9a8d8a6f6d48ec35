import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { context, trace, TraceFlags } from "@opentelemetry/api";
import type { LogFormat } from "../../../src/config/types.ts";
import { AccessLog } from "../../../src/telemetry/access-log.ts";
import type { AccessLogEntry } from "../../../src/telemetry/access-log.ts";
import { ensureContextManager } from "../../../src/telemetry/context-manager.ts";
import { logLayout } from "../../../src/telemetry/log-layout.ts";
import { createLogger } from "../../../src/telemetry/logger.ts";
import { LogCapture } from "./telemetry-fixture.ts";

const TRACE = "0af7651916cd43dd8448eb211c80319c";
const SPAN = "b7ad6b7169203331";

function logged(format: LogFormat, log: (logger: ReturnType<typeof createLogger>) => void) {
  const capture = new LogCapture();
  const logger = createLogger("svc", { level: "info", accessLog: true, format }, capture);
  log(logger);
  return capture.lines;
}

function connectionRefused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1", { cause: new Error("socket") }), {
    code: "ECONNREFUSED",
  });
}

const ENTRY: AccessLogEntry = {
  method: "GET",
  route: "/orders",
  upstream: "api",
  backend: "10.0.0.7:8081",
  status: 502,
  durationMs: 10.9004,
  retries: 1,
  errorCode: "TRACEWAY_ERR_UPSTREAM_CONNECT",
  bytesIn: 3,
  bytesOut: 120,
  traceId: TRACE,
  spanId: SPAN,
  traceFlags: TraceFlags.NONE,
};

function accessLine(format: LogFormat): Record<string, unknown> {
  const capture = new LogCapture();
  new AccessLog(capture, logLayout(format).accessFormatter("svc")).write(ENTRY);
  assert.equal(capture.lines.length, 1);
  return capture.lines[0]!;
}

describe("log layout json", () => {
  it("writes timestamp (not time), level, service_name, msg, and the active span's trace_id, span_id, trace_flags", () => {
    assert.ok(ensureContextManager());
    const span = trace.wrapSpanContext({ traceId: TRACE, spanId: SPAN, traceFlags: TraceFlags.SAMPLED });
    const [line] = logged("json", (logger) =>
      context.with(trace.setSpan(context.active(), span), () => logger.info({ upstream: "api" }, "hello")),
    );
    const { timestamp, ...rest } = line!;
    assert.match(String(timestamp), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.deepEqual(rest, {
      level: "info",
      service_name: "svc",
      upstream: "api",
      trace_id: TRACE,
      span_id: SPAN,
      trace_flags: "01",
      msg: "hello",
    });
  });

  it("flattens an err into error_type, error_message (with its causes), error_stack, error_code", () => {
    const [line] = logged("json", (logger) => logger.warn({ err: connectionRefused() }, "failed"));
    assert.equal(line!["err"], undefined);
    assert.equal(line!["error_type"], "Error");
    assert.equal(line!["error_message"], "connect ECONNREFUSED 127.0.0.1:1: socket");
    assert.equal(line!["error_code"], "ECONNREFUSED");
    assert.match(String(line!["error_stack"]), /^Error: connect ECONNREFUSED[^]*caused by: Error: socket/);
  });

  it("writes a field named after an ECS object (url, error, host…) with the suffix _value", () => {
    const [line] = logged("json", (logger) =>
      logger.info({ url: "http://x", error: "boom", host: "h" }, "m"),
    );
    assert.equal(line!["url_value"], "http://x");
    assert.equal(line!["error_value"], "boom");
    assert.equal(line!["host_value"], "h");
    assert.equal("url" in line! || "error" in line! || "host" in line!, false);
  });

  it("access line: flat fields, duration_ms to the microsecond, trace_flags 00 for an unsampled trace", () => {
    const { timestamp, ...line } = accessLine("json");
    assert.equal(typeof timestamp, "string");
    assert.deepEqual(line, {
      level: "info",
      service_name: "svc",
      method: "GET",
      route: "/orders",
      upstream: "api",
      backend: "10.0.0.7:8081",
      status: 502,
      duration_ms: 10.9,
      retries: 1,
      error_code: "TRACEWAY_ERR_UPSTREAM_CONNECT",
      bytes_in: 3,
      bytes_out: 120,
      trace_id: TRACE,
      span_id: SPAN,
      trace_flags: "00",
      msg: "access",
    });
  });
});

describe("log layout ecs", () => {
  it("maps the code's fields to ECS names, puts the rest under traceway.*, errors under error.*", () => {
    const [line] = logged("ecs", (logger) =>
      logger.warn(
        {
          upstream: "api",
          status: 503,
          reason: "SIGHUP",
          config_file: "/etc/t.yaml",
          err: connectionRefused(),
        },
        "failed",
      ),
    );
    const { "@timestamp": timestamp, "error.stack_trace": stack, ...rest } = line!;
    assert.match(String(timestamp), /^\d{4}-\d\d-\d\dT/);
    assert.match(String(stack), /^Error: connect ECONNREFUSED/);
    assert.deepEqual(rest, {
      "log.level": "warn",
      "service.name": "svc",
      "ecs.version": "9.4.0",
      "traceway.upstream": "api",
      "http.response.status_code": 503,
      "event.reason": "SIGHUP",
      "file.path": "/etc/t.yaml",
      "error.type": "Error",
      "error.message": "connect ECONNREFUSED 127.0.0.1:1: socket",
      "error.code": "ECONNREFUSED",
      message: "failed",
    });
  });

  it("access line: http.*, event.duration in nanoseconds, error.code, trace.id, span.id, event.dataset", () => {
    const { "@timestamp": timestamp, ...line } = accessLine("ecs");
    assert.equal(typeof timestamp, "string");
    assert.deepEqual(line, {
      "log.level": "info",
      "service.name": "svc",
      "ecs.version": "9.4.0",
      "event.dataset": "traceway.access",
      "http.request.method": "GET",
      "traceway.route": "/orders",
      "traceway.upstream": "api",
      "traceway.backend": "10.0.0.7:8081",
      "http.response.status_code": 502,
      "event.duration": 10_900_400,
      "traceway.retries": 1,
      "error.code": "TRACEWAY_ERR_UPSTREAM_CONNECT",
      "http.request.body.bytes": 3,
      "http.response.body.bytes": 120,
      "trace.id": TRACE,
      "span.id": SPAN,
      trace_flags: "00",
      message: "access",
    });
  });
});
