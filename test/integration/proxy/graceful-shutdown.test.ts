import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`graceful shutdown (${transport})`, () => {
    it("finishes in-flight requests, then stops accepting and frees upstream sockets", async () => {
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      let arrived!: () => void;
      const arrival = new Promise<void>((r) => (arrived = r));
      const backend = await startBackend("slow", (req, res) => {
        req.resume();
        arrived();
        void released.then(() => res.end("finished"));
      });
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      const inFlight = httpGet(`${lb.url}/`);
      await arrival;
      const closing = lb.close();
      await assert.rejects(httpGet(`${lb.url}/`), /ECONNREFUSED/);
      release();
      const res = await inFlight;
      assert.equal(res.status, 200);
      assert.equal(res.body, "finished");
      await closing;
      assert.equal(lb.upstreamSocketCount(), 0);
      await backend.kill();
    });

    it("cuts requests still running at the shutdown deadline", async () => {
      const backend = await startBackend("stuck", () => {});
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream("api", [backend.url], {
              timeouts: { connectMs: 1000, responseMs: 60_000, idleMs: 60_000 },
            }),
          ],
          { transport, shutdownTimeoutMs: 200 },
        ),
      });
      const inFlight = httpGet(`${lb.url}/`).catch((e: Error) => e);
      await new Promise<void>((resolve) => backend.server.once("request", () => resolve()));
      await lb.close();
      assert.ok((await inFlight) instanceof Error);
      await backend.kill();
    });
  });
