import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`forwarding headers (${transport})`, () => {
    let backend: TestBackend;
    let untrusting: RunningBalancer;
    let trusting: RunningBalancer;

    before(async () => {
      backend = await startBackend("a", (req, res) => {
        req.resume();
        res.writeHead(200, {
          "content-type": "application/json",
          connection: "keep-alive, x-secret-hop",
          "x-secret-hop": "must not reach the client",
          "keep-alive": "timeout=5",
        });
        res.end(JSON.stringify(req.headers));
      });
      untrusting = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      trusting = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], {
          transport,
          trustedProxies: ["127.0.0.0/8"],
        }),
      });
    });
    after(async () => {
      await untrusting.close();
      await trusting.close();
      await backend.kill();
    });

    it("replaces client-supplied X-Forwarded-* from an untrusted peer and preserves Host", async () => {
      const res = await httpGet(`${untrusting.url}/x`, {
        headers: {
          host: "api.example.com",
          "x-forwarded-for": "6.6.6.6",
          "x-real-ip": "6.6.6.6",
          "x-forwarded-proto": "https",
          "x-forwarded-host": "evil.example",
        },
      });
      const seen = JSON.parse(res.body) as Record<string, string>;
      assert.equal(seen["host"], "api.example.com");
      assert.equal(seen["x-forwarded-for"], "127.0.0.1");
      assert.equal(seen["x-real-ip"], "127.0.0.1");
      assert.equal(seen["x-forwarded-proto"], "http");
      assert.equal(seen["x-forwarded-host"], "api.example.com");
    });

    it("appends to X-Forwarded-For and keeps forwarded values from a trusted proxy", async () => {
      const res = await httpGet(`${trusting.url}/x`, {
        headers: { host: "api.example.com", "x-forwarded-for": "203.0.113.7", "x-forwarded-proto": "https" },
      });
      const seen = JSON.parse(res.body) as Record<string, string>;
      assert.equal(seen["x-forwarded-for"], "203.0.113.7, 127.0.0.1");
      assert.equal(seen["x-real-ip"], "203.0.113.7");
      assert.equal(seen["x-forwarded-proto"], "https");
    });

    it("strips hop-by-hop headers in both directions, including those named by Connection", async () => {
      const res = await httpGet(`${untrusting.url}/x`, {
        headers: {
          connection: "close, x-hop",
          "x-hop": "1",
          "proxy-authorization": "secret",
          te: "trailers",
        },
      });
      const seen = JSON.parse(res.body) as Record<string, string>;
      assert.equal(seen["x-hop"], undefined);
      assert.equal(seen["proxy-authorization"], undefined);
      assert.equal(seen["te"], undefined);
      assert.equal(res.headers["x-secret-hop"], undefined);
      assert.equal(res.headers["keep-alive"], undefined);
    });
  });
