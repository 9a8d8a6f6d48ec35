import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

for (const transport of TRANSPORTS)
  describe(`WebSocket upgrades (${transport})`, () => {
    const backends: TestBackend[] = [];
    let lb: RunningBalancer;

    before(async () => {
      for (const name of ["ws-a", "ws-b"]) {
        const backend = await startBackend(name);
        const wss = new WebSocketServer({ server: backend.server });
        wss.on("connection", (socket, req) => {
          socket.on("message", (data: Buffer) =>
            socket.send(`${name}:${String(req.headers["x-forwarded-for"] ?? "")}:${data.toString()}`),
          );
        });
        backends.push(backend);
      }
      lb = await startBalancer({
        config: testConfig(
          [
            testUpstream(
              "api",
              backends.map((b) => b.url),
            ),
          ],
          { transport },
        ),
      });
    });
    after(async () => {
      await lb.close();
      for (const b of backends) await b.kill();
    });

    const echo = (text: string): Promise<string> =>
      new Promise((resolve, reject) => {
        const ws = new WebSocket(`${lb.url.replace("http", "ws")}/chat`);
        ws.once("open", () => ws.send(text));
        ws.once("message", (data: Buffer) => {
          resolve(data.toString());
          ws.close();
        });
        ws.once("error", reject);
      });

    it("echoes through the balancer with forwarding headers, spread over the backends", async () => {
      const replies = [await echo("hello"), await echo("again")];
      const [first, second] = replies.map((r) => r.split(":"));
      assert.deepEqual(first?.slice(1), ["127.0.0.1", "hello"]);
      assert.deepEqual(second?.slice(1), ["127.0.0.1", "again"]);
      assert.deepEqual(new Set([first?.[0], second?.[0]]), new Set(["ws-a", "ws-b"]));
    });

    it("counts an open tunnel as in flight for its backend until it closes", async () => {
      const ws = new WebSocket(`${lb.url.replace("http", "ws")}/chat`);
      await new Promise((resolve) => ws.once("open", resolve));
      const pool = lb.pools.get("api");
      assert.ok(pool);
      assert.equal(
        pool.backends.reduce((n, b) => n + b.inFlight, 0),
        1,
      );
      const closed = new Promise((resolve) => ws.once("close", resolve));
      ws.close();
      await closed;
      await waitFor(() => pool.backends.every((b) => b.inFlight === 0), {
        what: "the closed tunnel to leave its backend's in-flight count",
        timeoutMs: 5000,
        intervalMs: 10,
      });
    });
  });
