import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RequestHandler } from "express";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`user Express middleware before the proxy (${transport})`, () => {
    it("runs in order and can answer or let the request through", async () => {
      const backend = await startBackend("a");
      const requireToken: RequestHandler = (req, res, next) => {
        if (req.headers.authorization !== "Bearer ok") {
          res.status(401).json({ error: "unauthorized" });
          return;
        }
        next();
      };
      const tag: RequestHandler = (req, _res, next) => {
        req.headers["x-authenticated"] = "yes";
        next();
      };
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
        middleware: [requireToken, tag],
      });
      try {
        const denied = await httpGet(`${lb.url}/private`);
        assert.equal(denied.status, 401);
        assert.equal(backend.requests.length, 0);
        const allowed = await httpGet(`${lb.url}/private`, { headers: { authorization: "Bearer ok" } });
        assert.equal(allowed.status, 200);
        assert.equal(allowed.body, "a");
        assert.equal(backend.requests[0]?.headers["x-authenticated"], "yes");
      } finally {
        await lb.close();
        await backend.kill();
      }
    });
  });
