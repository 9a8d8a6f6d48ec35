import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`route preserveHost (${transport})`, () => {
    let backend: TestBackend;
    let preserving: RunningBalancer;
    let rewriting: RunningBalancer;
    before(async () => {
      backend = await startBackend("a", (req, res) => {
        req.resume();
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(req.headers));
      });
      const upstream = testUpstream("api", [backend.url]);
      preserving = await startBalancer({ config: testConfig([upstream], { transport, preserveHost: true }) });
      rewriting = await startBalancer({ config: testConfig([upstream], { transport, preserveHost: false }) });
    });
    after(async () => {
      await preserving.close();
      await rewriting.close();
      await backend.kill();
    });

    const seenBy = async (lb: RunningBalancer): Promise<Record<string, string>> =>
      JSON.parse((await httpGet(`${lb.url}/x`, { headers: { host: "shop.example.com" } })).body) as Record<
        string,
        string
      >;

    it("true (the default): the backend sees the client's Host", async () => {
      const seen = await seenBy(preserving);
      assert.equal(seen["host"], "shop.example.com");
      assert.equal(seen["x-forwarded-host"], "shop.example.com");
    });

    it("false: the backend sees its own host:port, the client's Host stays in X-Forwarded-Host", async () => {
      const seen = await seenBy(rewriting);
      assert.equal(seen["host"], `127.0.0.1:${backend.port}`);
      assert.equal(seen["x-forwarded-host"], "shop.example.com");
    });
  });
