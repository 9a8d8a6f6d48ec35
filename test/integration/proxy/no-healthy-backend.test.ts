import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { errorCode, httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`no healthy backend (${transport})`, () => {
    it("answers 503 JSON with Retry-After and the stable code", async () => {
      const backend = await startBackend("a");
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      try {
        const pool = lb.pools.get("api");
        assert.ok(pool);
        for (const b of pool.backends) pool.setActiveStatus(b, false);
        const res = await httpGet(`${lb.url}/`);
        assert.equal(res.status, 503);
        assert.equal(res.headers["retry-after"], "1");
        assert.equal(res.headers["content-type"], "application/json; charset=utf-8");
        assert.equal(errorCode(res.body), "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
        assert.equal(backend.requests.length, 0);
      } finally {
        await lb.close();
        await backend.kill();
      }
    });

    it("in panic mode (opt-in) tries the unhealthy backends anyway", async () => {
      const backend = await startBackend("a");
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url], { panicMode: true })], { transport }),
      });
      try {
        const pool = lb.pools.get("api");
        assert.ok(pool);
        for (const b of pool.backends) pool.setActiveStatus(b, false);
        const res = await httpGet(`${lb.url}/`);
        assert.equal(res.status, 200);
        assert.equal(res.body, "a");
      } finally {
        await lb.close();
        await backend.kill();
      }
    });
  });
