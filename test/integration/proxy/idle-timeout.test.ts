import assert from "node:assert/strict";
import { request } from "node:http";
import { after, describe, it } from "node:test";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type Handler, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

/** Below a second: undici's timers are exact there (above it they tick every 500 ms). */
const IDLE_MS = 800;
/** A gap far below the idle timeout: only an event loop stalled for most of a second could flip it. */
const GAP_MS = 40;

/** GET through the balancer; resolves the body received and whether the response was cut. */
function get(url: string): Promise<{ body: string; cut: boolean; ms: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(url, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ body, cut: false, ms: performance.now() - started }));
      res.on("error", () => resolve({ body, cut: true, ms: performance.now() - started }));
    })
      .on("error", reject)
      .end();
  });
}

for (const transport of TRANSPORTS)
  describe(`timeouts.idle (${transport})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });
    const setup = async (handler: Handler): Promise<{ backend: TestBackend; lb: RunningBalancer }> => {
      const backend = await startBackend("b", handler);
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream("api", [backend.url], {
              timeouts: { connectMs: 1000, responseMs: 5000, idleMs: IDLE_MS },
            }),
          ],
          { transport },
        ),
      });
      cleanup.push(
        () => backend.kill(),
        () => lb.close(),
      );
      return { backend, lb };
    };

    it("cuts a response whose backend stops sending mid-body, and closes the upstream connection", async () => {
      let closed = false;
      const { lb } = await setup((req, res) => {
        req.resume();
        res.socket?.once("close", () => (closed = true));
        res.writeHead(200, { "content-length": "100" });
        res.write("first bytes");
        // ...and nothing more: the socket stays open and silent.
      });
      const result = await get(`${lb.url}/`);
      assert.equal(result.cut, true, "the client sees a truncated response, not a complete one");
      assert.equal(result.body, "first bytes");
      assert.ok(
        // Timers may fire a little early by a fresh performance.now() reading (libuv's cached loop time).
        result.ms >= IDLE_MS - 50,
        `cut after ${result.ms.toFixed(0)} ms, not before ${IDLE_MS} ms of silence`,
      );
      await waitFor(() => closed, {
        what: "the silent backend's connection to be closed",
        timeoutMs: 5000,
        intervalMs: 10,
      });
      await waitFor(() => lb.activeRequests() === 0, {
        what: "the request to end",
        timeoutMs: 5000,
        intervalMs: 10,
      });
    });

    it("lets a slow stream through whose gaps stay under the timeout, however long it lasts", async () => {
      const CHUNKS = 30; // 30 × 40 ms = 1.2 s in all, more than the idle timeout
      const { lb } = await setup((req, res) => {
        req.resume();
        res.writeHead(200, { "content-length": String(CHUNKS) });
        let sent = 0;
        const timer = setInterval(() => {
          res.write("x");
          if (++sent === CHUNKS) {
            clearInterval(timer);
            res.end();
          }
        }, GAP_MS);
        res.once("close", () => clearInterval(timer));
      });
      const result = await get(`${lb.url}/`);
      assert.equal(result.cut, false);
      assert.equal(result.body, "x".repeat(CHUNKS));
    });
  });
