import assert from "node:assert/strict";
import { connect } from "node:net";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

/** Writes raw bytes to the balancer and returns everything it answers before closing. */
function raw(port: number, payload: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.write(payload));
    let answer = "";
    socket.on("data", (c: Buffer) => (answer += c.toString()));
    socket.on("end", () => resolve(answer));
    socket.on("error", reject);
  });
}

for (const transport of TRANSPORTS)
  describe(`malformed client requests (${transport})`, () => {
    it("get a JSON 400/431 naming the problem and never reach a backend", async () => {
      const backend = await startBackend("a");
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      try {
        const garbage = await raw(lb.port, "NOT-A-METHOD / HTTP/1.1\r\nHost: x\r\n\r\n");
        assert.match(garbage, /^HTTP\/1\.1 400 Bad Request\r\n/);
        assert.match(
          garbage,
          /"code":"TRACEWAY_ERR_BAD_REQUEST","message":"malformed HTTP request: HPE_INVALID_METHOD"/,
        );

        const huge = await raw(lb.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`);
        assert.match(huge, /^HTTP\/1\.1 431 /);
        assert.match(huge, /HPE_HEADER_OVERFLOW/);

        assert.equal(backend.requests.length, 0);
      } finally {
        await lb.close();
        await backend.kill();
      }
    });
  });
