import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startTelemetry } from "../../../src/telemetry/setup.ts";
import { closedPort, startBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";

describe("request context", () => {
  it("log lines of a request carry its own trace_id, not the previous request's on the same socket", async () => {
    const backend = await startBackend("a");
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const config = testConfig([testUpstream("api", [dead, backend.url], { strategy: "random" })]);
    const lines: Record<string, unknown>[] = [];
    const telemetry = await startTelemetry(
      {
        telemetry: { ...config.telemetry, traces: { enabled: false, otlpEndpoint: "", sampleRatio: 1 } },
        logging: { level: "info", accessLog: true, format: "json" },
      },
      {
        logDestination: {
          write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>),
        },
      },
    );
    // Weighted random drawing 0 picks the first candidate: every request tries the dead backend
    // first, then retries on the live one, so each request logs exactly one retry line.
    const lb = await startBalancer({
      config,
      observer: telemetry.observer,
      logger: telemetry.logger,
      random: () => 0,
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = (traceId: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const headers = { traceparent: `00-${traceId}-b7ad6b7169203331-01` };
        request(`${lb.url}/`, { agent, headers }, (res) => {
          res.resume();
          res.on("end", resolve);
        })
          .on("error", reject)
          .end();
      });
    try {
      const traces = ["0af7651916cd43dd8448eb211c80319c", "1bf7651916cd43dd8448eb211c80319d"];
      for (const traceId of traces) await get(traceId);
      const retries = lines.filter((l) => String(l["msg"]).startsWith("retrying"));
      assert.deepEqual(
        retries.map((l) => l["trace_id"]),
        traces,
        "one retry line per request, each with its own request's trace",
      );
      for (const line of lines) {
        assert.ok(
          traces.includes(String(line["trace_id"])),
          `line has a request's trace: ${JSON.stringify(line)}`,
        );
      }
      const accessTraces = lines.filter((l) => l["msg"] === "access").map((l) => l["trace_id"]);
      assert.deepEqual(accessTraces, traces);
    } finally {
      agent.destroy();
      await lb.close();
      await telemetry.shutdown();
      await backend.kill();
    }
  });
});
