import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { test } from "node:test";
import { SpanKind } from "@opentelemetry/api";
import { ExportResultCode } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startTelemetry } from "../../../src/telemetry/setup.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";

const CONNECTIONS = 200;

/** Keeps only weak references to the SERVER spans it is handed, so it pins nothing itself. */
class WeakSpanExporter implements SpanExporter {
  readonly refs: WeakRef<ReadableSpan>[] = [];
  export(spans: ReadableSpan[], done: (result: { code: ExportResultCode }) => void): void {
    for (const span of spans) if (span.kind === SpanKind.SERVER) this.refs.push(new WeakRef(span));
    done({ code: ExportResultCode.SUCCESS });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

function get(url: string, agent: Agent): Promise<void> {
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.on("end", resolve);
      res.on("error", reject);
    })
      .on("error", reject)
      .end();
  });
}

test("idle keep-alive connections do not keep their finished requests' spans reachable", async () => {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const backend = await startBackend("a");
  const base = testConfig([testUpstream("api", [backend.url])]);
  const config = {
    ...base,
    telemetry: {
      ...base.telemetry,
      traces: { enabled: true, otlpEndpoint: "http://127.0.0.1:1/v1/traces", sampleRatio: 1 },
    },
  };
  const exporter = new WeakSpanExporter();
  const telemetry = await startTelemetry(
    { telemetry: config.telemetry, logging: { level: "warn", accessLog: false, format: "json" } },
    { spanExporter: exporter, scheduledDelayMillis: 10 },
  );
  const lb = await startBalancer({ config, observer: telemetry.observer, logger: telemetry.logger });
  const agent = new Agent({ keepAlive: true, maxSockets: CONNECTIONS });
  try {
    // One request on each of CONNECTIONS connections, which then stay open and idle.
    await Promise.all(Array.from({ length: CONNECTIONS }, () => get(`${lb.url}/`, agent)));
    await telemetry.tracerProvider.forceFlush();
    assert.equal(exporter.refs.length, CONNECTIONS, "every request was traced");
    for (let i = 0; i < 3; i++) {
      gc();
      await new Promise((resolve) => setImmediate(resolve));
    }
    const reachable = exporter.refs.filter((ref) => ref.deref() !== undefined).length;
    assert.equal(agent.sockets[Object.keys(agent.sockets)[0] ?? ""]?.length ?? 0, 0, "no request in flight");
    assert.ok(reachable <= 2, `${reachable} of ${CONNECTIONS} finished SERVER spans are still reachable`);
  } finally {
    agent.destroy();
    await lb.close();
    await telemetry.shutdown();
    await backend.kill();
  }
});
