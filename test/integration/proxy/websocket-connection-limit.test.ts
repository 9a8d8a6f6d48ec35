import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { WebSocket, WebSocketServer } from "ws";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const opened = (ws: WebSocket): Promise<void> =>
  new Promise((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });

for (const transport of TRANSPORTS)
  describe(`WebSocket tunnels and maxConnsPerBackend (${transport})`, () => {
    it("a tunnel holds its backend's slot: the next upgrade queues, and opens when the tunnel closes", async () => {
      const backend = await startBackend("ws");
      new WebSocketServer({ server: backend.server });
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream("api", [backend.url], {
              maxConnsPerBackend: 1,
              queue: { size: 1, timeoutMs: 10_000 },
            }),
          ],
          { transport },
        ),
      });
      const url = `${lb.url.replace("http", "ws")}/chat`;
      try {
        const first = new WebSocket(url);
        await opened(first);
        const second = new WebSocket(url);
        let secondOpen = false;
        const secondOpened = opened(second).then(() => (secondOpen = true));
        await waitFor(() => lb.queues().get("api")?.length === 1, { what: "the second upgrade queued" });
        assert.equal(secondOpen, false);

        const third = new WebSocket(url);
        const refused = await new Promise<number>((resolve) =>
          third.once("unexpected-response", (_req, res) => resolve(res.statusCode ?? 0)),
        );
        assert.equal(refused, 503, "queue full");

        first.close();
        await secondOpened;
        const pool = lb.pools.get("api");
        assert.equal(pool?.backends[0]?.inFlight, 1, "the second tunnel holds the slot now");
        const closed = new Promise((resolve) => second.once("close", resolve));
        second.close();
        await closed;
        await waitFor(() => pool?.backends[0]?.inFlight === 0, { what: "the slot freed" });
      } finally {
        await lb.close();
        await backend.kill();
      }
    });
  });
