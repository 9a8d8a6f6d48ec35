import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

const MiB = 1024 ** 2;
const CHUNK = Buffer.alloc(64 * 1024, 1);
const RESPONSES = 6;

/** One GET on `agent`, its body counted; fails after `ms` instead of hanging. */
function get(url: string, agent: Agent, ms: number): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent, signal: AbortSignal.timeout(ms) }, (res) => {
      let bytes = 0;
      res.on("data", (c: Buffer) => (bytes += c.length));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, bytes }));
      res.on("error", reject);
    });
    req.on("error", reject);
    req.end();
  });
}

for (const transport of TRANSPORTS)
  describe(`keep-alive clients (${transport})`, () => {
    it("get large and small responses one after another over one client connection", async () => {
      // 1 MiB in 16 chunks, each written on a later turn of the event loop, so the body keeps
      // arriving after the head has been relayed (the case a bodyless or one-chunk reply hides).
      const backend = await startBackend("big", (req, res) => {
        req.resume();
        if (req.url === "/small") return void res.end("ok");
        res.writeHead(200, { "content-length": String(MiB) });
        let sent = 0;
        const next = (): void => {
          if (sent >= MiB) return void res.end();
          sent += CHUNK.length;
          if (res.write(CHUNK)) setImmediate(next);
          else res.once("drain", next);
        };
        next();
      });
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      let clientConnections = 0;
      lb.server.on("connection", () => clientConnections++);
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      try {
        for (let i = 0; i < RESPONSES; i++) {
          const big = await get(`${lb.url}/big`, agent, 5000);
          assert.deepEqual(big, { status: 200, bytes: MiB }, `response ${i + 1}`);
          const small = await get(`${lb.url}/small`, agent, 5000);
          assert.deepEqual(small, { status: 200, bytes: 2 }, `small response after ${i + 1}`);
        }
        assert.equal(clientConnections, 1, "every request reused the one keep-alive connection");
      } finally {
        agent.destroy();
        await lb.close();
        await backend.kill();
      }
    });
  });
