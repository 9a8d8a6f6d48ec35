import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

for (const transport of TRANSPORTS)
  describe(`reload (${transport})`, () => {
    it("applies a new backend set without dropping requests and keeps health state of unchanged backends", async () => {
      const [a, c] = await Promise.all(["a", "c"].map((n) => startBackend(n)));
      // b fails its health checks, so the active checker holds it down.
      const b = await startBackend("b", (req, res) => {
        req.resume();
        res.writeHead(req.url === "/healthz" ? 500 : 200).end("b");
      });
      assert.ok(a && c);
      const checked = (urls: string[]): ReturnType<typeof testUpstream> =>
        testUpstream("api", urls, {
          healthCheck: {
            ...testUpstream("x", []).healthCheck,
            enabled: true,
            intervalMs: 100,
            unhealthyThreshold: 1,
          },
        });
      const lb = await startBalancer({ config: testConfig([checked([a.url, b.url])], { transport }) });
      const pool = lb.pools.get("api");
      assert.ok(pool);
      const bBackend = pool.backends.find((x) => x.id === b.url);
      assert.ok(bBackend);
      await waitFor(() => !bBackend.activeUp, { what: "b marked down by its health check", timeoutMs: 5000 });

      const TOTAL = 1500;
      let sent = 0;
      const failures: string[] = [];
      const seen = new Set<string>();
      const worker = async (): Promise<void> => {
        while (sent < TOTAL) {
          sent++;
          if (sent === 500) lb.reload(testConfig([checked([a.url, b.url, c.url])], { transport }));
          const res = await httpGet(`${lb.url}/`).catch((e: Error) => ({ status: 0, body: e.message }));
          if (res.status !== 200) failures.push(res.body);
          else seen.add(res.body);
        }
      };
      try {
        await Promise.all(Array.from({ length: 10 }, worker));
        assert.deepEqual(failures, []);
        assert.deepEqual([...seen].sort(), ["a", "c"], "c joined; b stayed down across the reload");
        const after = lb.pools.get("api")?.backends.find((x) => x.id === b.url);
        assert.equal(after, bBackend, "the same backend object (and its state) survived");
        assert.equal(after?.activeUp, false);
      } finally {
        await lb.close();
        await Promise.all([a.kill(), b.kill(), c.kill()]);
      }
    });
  });
