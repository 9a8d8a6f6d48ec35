import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { Backend } from "../../../src/pool/backend.ts";
import { tracesUrl } from "../../../src/telemetry/tracing.ts";
import { fakeRequest, telemetryUnderTest } from "./telemetry-fixture.ts";

/** Keeps what it was given, even across shutdown (the in-memory exporter clears itself then). */
class KeepingExporter implements SpanExporter {
  readonly exported: ReadableSpan[] = [];
  export(spans: ReadableSpan[], done: (r: { code: ExportResultCode }) => void): void {
    this.exported.push(...spans);
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

describe("startTelemetry", () => {
  it("shutdown() flushes spans still queued in the batch processor", async () => {
    const exporter = new KeepingExporter();
    const { telemetry } = await telemetryUnderTest({
      options: { spanExporter: exporter, scheduledDelayMillis: 60_000 },
    });
    const obs = telemetry.observer.onRequest({
      req: fakeRequest(),
      method: "GET",
      route: "/*",
      upstream: "u",
    });
    obs.end({ statusCode: 200, retries: 0, bytesIn: 0, bytesOut: 0 });
    assert.equal(exporter.exported.length, 0, "nothing exported before the 60 s batch delay");
    await telemetry.shutdown();
    assert.deepEqual(
      exporter.exported.map((s) => s.name),
      ["GET /*"],
    );
  });

  it("serves Prometheus text on the configured host, ephemeral port and path; 404 elsewhere", async () => {
    const { telemetry } = await telemetryUnderTest({
      telemetry: { prometheus: { enabled: true, host: "127.0.0.1", port: 0, path: "/stats" } },
      logging: { level: "silent" },
    });
    try {
      assert.match(telemetry.metricsUrl ?? "", /^http:\/\/127\.0\.0\.1:\d+\/stats$/);
      const backend = new Backend({ url: "http://127.0.0.1:7201", weight: 1, backup: false });
      const obs = telemetry.observer.onRequest({
        req: fakeRequest(),
        method: "GET",
        route: "/*",
        upstream: "u",
      });
      obs
        .onAttempt({
          backend,
          upstream: "u",
          method: "GET",
          url: `${backend.id}/`,
          resendCount: 0,
          headers: {},
        })
        .end({ statusCode: 200 });
      obs.end({ statusCode: 200, backend, retries: 0, bytesIn: 3, bytesOut: 4 });
      const text = await (await fetch(telemetry.metricsUrl!)).text();
      assert.match(
        text,
        /^http_server_request_duration_seconds_bucket\{traceway_upstream="u",http_request_method="GET",url_scheme="http",http_response_status_code="200",http_route="\/\*",network_protocol_version="1.1",otel_scope_name="traceway\/interceptors\/http",le="0.25"\} 1$/m,
      );
      assert.match(
        text,
        /^traceway_http_request_body_bytes_total\{traceway_upstream="u",traceway_backend="127.0.0.1:7201",otel_scope_name="traceway\/balancer"\} 3$/m,
      );
      const notFound = await fetch(telemetry.metricsUrl!.replace("/stats", "/metrics"));
      assert.equal(notFound.status, 404);
      await notFound.text();
    } finally {
      await telemetry.shutdown();
    }
  });

  it("gives target_info traceway's version and the configured service.instance.id", async () => {
    const { telemetry } = await telemetryUnderTest({
      telemetry: {
        serviceInstanceId: "edge-1",
        prometheus: { enabled: true, host: "127.0.0.1", port: 0, path: "/metrics" },
      },
      logging: { level: "silent" },
    });
    try {
      const text = await (await fetch(telemetry.metricsUrl!)).text();
      const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
        version: string;
      };
      const targetInfo = /^target_info\{(.*)\} 1$/m.exec(text)?.[1] ?? "";
      assert.match(targetInfo, /(^|,)service_instance_id="edge-1"(,|$)/);
      assert.match(
        targetInfo,
        new RegExp(`(^|,)service_version="${pkg.version.replaceAll(".", "\\.")}"(,|$)`),
      );
      assert.match(targetInfo, /(^|,)service_name="traceway-unit"(,|$)/);
    } finally {
      await telemetry.shutdown();
    }
  });

  it("accepts an OTLP base URL or a full traces URL", () => {
    assert.equal(tracesUrl("http://127.0.0.1:4318"), "http://127.0.0.1:4318/v1/traces");
    assert.equal(tracesUrl("http://jaeger:4318/"), "http://jaeger:4318/v1/traces");
    assert.equal(tracesUrl("https://otel.example/custom/v1/traces"), "https://otel.example/custom/v1/traces");
  });
});
