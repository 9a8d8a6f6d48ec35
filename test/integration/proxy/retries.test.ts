import assert from "node:assert/strict";
import type { IncomingMessage } from "node:http";
import { after, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { errorCode, httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`retries (${transport})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });
    const balancerFor = async (urls: string[], overrides = {}): Promise<RunningBalancer> => {
      const b = await startBalancer({
        config: testConfig([testUpstream("api", urls, overrides)], { transport }),
      });
      cleanup.push(() => b.close());
      return b;
    };
    const backend = async (...args: Parameters<typeof startBackend>): Promise<TestBackend> => {
      const b = await startBackend(...args);
      cleanup.push(() => b.kill());
      return b;
    };

    it("sends a GET to another backend when the first refuses the connection", async () => {
      const good = await backend("good");
      const dead = `http://127.0.0.1:${await closedPort()}`;
      const lb = await balancerFor([dead, good.url]);
      for (let i = 0; i < 4; i++) {
        const res = await httpGet(`${lb.url}/`);
        assert.equal(res.status, 200);
        assert.equal(res.body, "good");
      }
    });

    it("retries a 503 on a different backend and returns the last response when tries run out", async () => {
      const busy = await backend("busy", (req, res) => {
        req.resume();
        res.writeHead(503, { "x-backend": "busy" }).end("busy");
      });
      const good = await backend("good");
      const lb = await balancerFor([busy.url, good.url]);
      const res = await httpGet(`${lb.url}/`);
      assert.equal(res.body, "good");
      assert.equal(busy.requests.length, 1, "the first attempt went to the 503 backend");

      const onlyBusy = await balancerFor([busy.url]);
      const last = await httpGet(`${onlyBusy.url}/`);
      assert.equal(last.status, 503);
      assert.equal(last.body, "busy", "the upstream's own 503 is passed on, not replaced");
    });

    it("does not resend a POST whose body reached a backend", async () => {
      const resetter = await backend("resetter", (req) => {
        req.once("data", () => req.socket.destroy());
      });
      const good = await backend("good");
      const lb = await balancerFor([resetter.url, good.url]);
      const res = await httpGet(`${lb.url}/orders`, { method: "POST", body: "x".repeat(10_000) });
      assert.equal(res.status, 502);
      assert.equal(errorCode(res.body), "TRACEWAY_ERR_UPSTREAM_RESET");
      assert.equal(good.requests.length, 0, "the POST was not retried");
    });

    it("resends a POST that never reached a backend (connection refused)", async () => {
      const good = await backend("good", (req, res) => {
        const chunks: Buffer[] = [];
        req.on("data", (c: Buffer) => chunks.push(c));
        req.on("end", () => res.end(`got ${Buffer.concat(chunks).length}`));
      });
      const dead = `http://127.0.0.1:${await closedPort()}`;
      const lb = await balancerFor([dead, good.url]);
      for (let i = 0; i < 2; i++) {
        const res = await httpGet(`${lb.url}/orders`, { method: "POST", body: "y".repeat(5000) });
        assert.equal(res.status, 200);
        assert.equal(res.body, "got 5000");
      }
    });

    it("answers 504 with a stable code when every backend is too slow", async () => {
      const slow = await backend("slow", () => {
        /* never answers */
      });
      const lb = await balancerFor([slow.url], {
        timeouts: { connectMs: 500, responseMs: 150, idleMs: 1000 },
      });
      const res = await httpGet(`${lb.url}/`);
      assert.equal(res.status, 504);
      assert.equal(errorCode(res.body), "TRACEWAY_ERR_UPSTREAM_TIMEOUT");
    });

    it("starts no new attempt once retry.timeout has passed", async () => {
      // The budget is read from the balancer's clock, so the test moves that clock instead of
      // racing timers: each backend spends 150 ms of it and resets the connection. The second
      // attempt starts at 150 ms (< 200), a third would start at 300 ms (>= 200) and must not.
      const clock = new ManualClock();
      const spend150 = (req: IncomingMessage): void => {
        clock.advance(150);
        req.socket.destroy();
      };
      const resetting = await Promise.all(["s1", "s2", "s3"].map((n) => backend(n, spend150)));
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream(
              "api",
              resetting.map((b) => b.url),
              { retry: { tries: 3, timeoutMs: 200, on: ["error", "timeout"] } },
            ),
          ],
          { transport },
        ),
        clock,
      });
      cleanup.push(() => lb.close());
      const res = await httpGet(`${lb.url}/`);
      assert.equal(res.status, 502);
      assert.equal(errorCode(res.body), "TRACEWAY_ERR_UPSTREAM_RESET");
      assert.deepEqual(
        resetting.map((b) => b.requests.length).sort(),
        [0, 1, 1],
        "two attempts inside the 200 ms budget, none after it",
      );
    });

    it("answers 503 with Retry-After when every backend refuses the connection (as HAProxy and Envoy do)", async () => {
      const lb = await balancerFor([
        `http://127.0.0.1:${await closedPort()}`,
        `http://127.0.0.1:${await closedPort()}`,
      ]);
      const res = await httpGet(`${lb.url}/`);
      assert.equal(res.status, 503);
      assert.equal(res.headers["retry-after"], "1");
      assert.equal(errorCode(res.body), "TRACEWAY_ERR_UPSTREAM_CONNECT");
    });
  });
