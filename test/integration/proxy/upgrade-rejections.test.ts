import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { errorCode } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

/** Sends a WebSocket handshake for `path` and returns the raw answer up to the close. */
function upgrade(port: number, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () =>
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: lb.test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
          "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n",
      ),
    );
    let answer = "";
    socket.on("data", (c: Buffer) => (answer += c.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

for (const transport of TRANSPORTS)
  describe(`refused upgrades (${transport})`, () => {
    it("answer with a status line whose reason matches the status, and the JSON error", async () => {
      const base = testConfig([testUpstream("empty", [])], { transport });
      const lb = await startBalancer({
        config: {
          ...base,
          routes: [{ match: { pathPrefix: "/ws" }, upstream: "empty", preserveHost: true }],
        },
      });
      try {
        const noRoute = await upgrade(lb.port, "/elsewhere");
        assert.match(noRoute, /^HTTP\/1\.1 404 Not Found\r\n/);
        assert.equal(errorCode(noRoute.split("\r\n\r\n")[1] ?? ""), "TRACEWAY_ERR_NO_ROUTE");

        const noBackend = await upgrade(lb.port, "/ws");
        assert.match(noBackend, /^HTTP\/1\.1 503 Service Unavailable\r\n/);
        assert.equal(errorCode(noBackend.split("\r\n\r\n")[1] ?? ""), "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
      } finally {
        await lb.close();
      }
    });
  });
