import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`failover (${transport})`, () => {
    it("killing 1 of 3 backends under load loses no client request", async (t) => {
      const backends = await Promise.all(["a", "b", "c"].map((n) => startBackend(n)));
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream(
              "api",
              backends.map((b) => b.url),
              {
                passive: {
                  maxFails: 1,
                  failTimeoutMs: 10_000,
                  consecutive5xx: 0,
                  baseEjectionMs: 30_000,
                  maxEjectionPercent: 50,
                },
              },
            ),
          ],
          { transport },
        ),
      });
      const TOTAL = 3000;
      const KILL_AT = 1000;
      let sent = 0;
      let killed: Promise<void> | undefined;
      const failures: string[] = [];
      const served = new Map<string, number>();
      const worker = async (): Promise<void> => {
        while (sent < TOTAL) {
          sent++;
          if (sent === KILL_AT) killed = backends[1]?.kill();
          try {
            const res = await httpGet(`${lb.url}/item`);
            if (res.status !== 200) failures.push(`${res.status} ${res.body}`);
            served.set(res.body, (served.get(res.body) ?? 0) + 1);
          } catch (e) {
            failures.push(String(e));
          }
        }
      };
      try {
        await Promise.all(Array.from({ length: 20 }, worker));
        await killed;
        assert.deepEqual(failures, []);
        assert.equal(
          [...served.values()].reduce((a, b) => a + b, 0),
          TOTAL,
        );
        t.diagnostic(
          `${transport}: ${TOTAL} requests, ${failures.length} failed, served ${JSON.stringify(Object.fromEntries(served))}`,
        );
        assert.ok((served.get("b") ?? 0) < KILL_AT, "the killed backend stopped receiving traffic");
        assert.ok(
          (served.get("a") ?? 0) > TOTAL / 4 && (served.get("c") ?? 0) > TOTAL / 4,
          JSON.stringify([...served]),
        );
      } finally {
        await lb.close();
        await Promise.all([backends[0]?.kill(), backends[2]?.kill()]);
      }
    });
  });
