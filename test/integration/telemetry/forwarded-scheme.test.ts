import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, it } from "node:test";
import { SpanKind } from "@opentelemetry/api";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { telemetryUnderTest, type TelemetryUnderTest } from "../../unit/telemetry/telemetry-fixture.ts";

// url.scheme (Required on http.server.request.duration) and client.address describe the original
// request: taken from X-Forwarded-Proto / X-Forwarded-For only when the peer is a trusted proxy,
// from the connection otherwise, so a client cannot make its plain request count as https.
describe("url.scheme and client.address behind a trusted proxy", () => {
  let backend: TestBackend;
  const balancers: { lb: RunningBalancer; t: TelemetryUnderTest }[] = [];

  before(async () => {
    backend = await startBackend("b");
    for (const trustedProxies of [["127.0.0.1"], []]) {
      const t = await telemetryUnderTest();
      const config = testConfig([testUpstream("api", [backend.url])], { trustedProxies });
      const lb = await startBalancer({ config, observer: t.telemetry.observer, logger: t.telemetry.logger });
      balancers.push({ lb, t });
    }
  });
  after(async () => {
    for (const { lb, t } of balancers) {
      await lb.close();
      await t.telemetry.shutdown();
    }
    await backend.kill();
  });

  async function forwardedRequest(i: number): Promise<Record<string, unknown>> {
    const { lb, t } = balancers[i]!;
    await new Promise<void>((resolve, reject) => {
      const headers = {
        host: "shop.example",
        "x-forwarded-proto": "https",
        "x-forwarded-for": "203.0.113.9",
      };
      request(`${lb.url}/cart`, { headers }, (res) => res.resume().once("end", resolve))
        .once("error", reject)
        .end();
    });
    const span = await waitFor(
      async () => {
        await t.telemetry.tracerProvider.forceFlush();
        return t.spans.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER);
      },
      { what: "the SERVER span" },
    );
    const { resourceMetrics } = await t.reader.collect();
    const point = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === "http.server.request.duration")?.dataPoints[0];
    return { ...span.attributes, metricScheme: point?.attributes["url.scheme"] };
  }

  it("trusted: the forwarded scheme, client and default port of that scheme", async () => {
    const a = await forwardedRequest(0);
    assert.equal(a["url.scheme"], "https");
    assert.equal(a["metricScheme"], "https");
    assert.equal(a["client.address"], "203.0.113.9");
    assert.equal(a["network.peer.address"], "127.0.0.1");
    assert.equal(a["server.address"], "shop.example");
    assert.equal(a["server.port"], 443);
  });

  it("untrusted: the connection's scheme and peer, whatever the headers claim", async () => {
    const a = await forwardedRequest(1);
    assert.equal(a["url.scheme"], "http");
    assert.equal(a["metricScheme"], "http");
    assert.equal(a["client.address"], "127.0.0.1");
    assert.equal(a["server.port"], 80);
  });
});
