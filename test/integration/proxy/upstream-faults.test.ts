import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import type { AddressInfo } from "node:net";
import { after, describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { errorCode, httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

/** A raw TCP "backend" that misbehaves in a chosen way. */
async function rawBackend(
  onConnection: (socket: import("node:net").Socket) => void,
): Promise<{ url: string; server: Server }> {
  const server = createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

for (const transport of TRANSPORTS)
  describe(`upstream faults never crash the balancer (${transport})`, () => {
    const servers: Server[] = [];
    after(() => {
      for (const s of servers) s.close();
    });

    const cases: {
      name: string;
      behave: (s: import("node:net").Socket) => void;
      status: number;
      code: string;
    }[] = [
      {
        name: "reset right after the request",
        behave: (s) => s.once("data", () => s.resetAndDestroy()),
        status: 502,
        code: "TRACEWAY_ERR_UPSTREAM_RESET",
      },
      {
        name: "garbage instead of HTTP",
        behave: (s) => s.once("data", () => s.end("NOT HTTP AT ALL\r\n\r\n")),
        status: 502,
        code: "TRACEWAY_ERR_UPSTREAM_BAD_RESPONSE",
      },
      {
        name: "half-open: accepts and never answers",
        behave: () => {},
        status: 504,
        code: "TRACEWAY_ERR_UPSTREAM_TIMEOUT",
      },
      {
        name: "closes after half the headers",
        behave: (s) => s.once("data", () => s.end("HTTP/1.1 200 OK\r\nContent-Le")),
        status: 502,
        code: "TRACEWAY_ERR_UPSTREAM_RESET",
      },
    ];

    for (const c of cases) {
      it(`${c.name} → ${c.status} ${c.code}`, async () => {
        const backend = await rawBackend(c.behave);
        servers.push(backend.server);
        const lb = await startBalancer({
          config: testConfig(
            [
              testUpstream("api", [backend.url], {
                timeouts: { connectMs: 300, responseMs: 300, idleMs: 1000 },
              }),
            ],
            { transport },
          ),
        });
        try {
          for (let i = 0; i < 3; i++) {
            const res = await httpGet(`${lb.url}/`);
            assert.equal(res.status, c.status);
            assert.equal(errorCode(res.body), c.code);
          }
        } finally {
          await lb.close();
        }
      });
    }

    it("a backend whose name does not resolve → 503 TRACEWAY_ERR_UPSTREAM_DNS", async () => {
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream("api", ["http://no-such-host.invalid:8080"], {
              retry: { tries: 1, timeoutMs: 0, on: ["error"] },
            }),
          ],
          { transport },
        ),
      });
      try {
        const res = await httpGet(`${lb.url}/`);
        assert.equal(res.status, 503);
        assert.equal(res.headers["retry-after"], "1");
        assert.equal(errorCode(res.body), "TRACEWAY_ERR_UPSTREAM_DNS");
      } finally {
        await lb.close();
      }
    });

    it("an upstream that dies mid-body cuts the client response instead of hanging", async () => {
      // The first connection dies after 7 of 1000 body bytes; later ones answer in full, so the
      // second request shows the balancer still proxies after the cut.
      let connections = 0;
      const backend = await rawBackend((s) =>
        s.once("data", () => {
          if (++connections === 1) {
            s.write("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial");
            setImmediate(() => s.destroy());
          } else {
            s.end("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nwhole");
          }
        }),
      );
      servers.push(backend.server);
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [backend.url])], { transport }),
      });
      try {
        await assert.rejects(httpGet(`${lb.url}/`), /aborted|ECONNRESET|socket hang up/);
        const again = await httpGet(`${lb.url}/`);
        assert.equal(again.status, 200);
        assert.equal(again.body, "whole");
        assert.equal(connections, 2);
      } finally {
        await lb.close();
      }
    });
  });
