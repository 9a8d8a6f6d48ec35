import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`consistent_hash through the proxy (${transport})`, () => {
    it("sends every request of one user (header:x-user-id) to the same backend and spreads users", async () => {
      const backends = await Promise.all(["a", "b", "c"].map((n) => startBackend(n)));
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream(
              "api",
              backends.map((b) => b.url),
              { strategy: "consistent_hash", hashKey: { kind: "header", name: "x-user-id" } },
            ),
          ],
          { transport },
        ),
      });
      try {
        const owner = new Map<string, string>();
        for (let round = 0; round < 3; round++) {
          for (let user = 0; user < 30; user++) {
            const res = await httpGet(`${lb.url}/cart`, { headers: { "x-user-id": `user-${user}` } });
            const previous = owner.get(`user-${user}`);
            if (previous) assert.equal(res.body, previous, `user-${user} stays on ${previous}`);
            owner.set(`user-${user}`, res.body);
          }
        }
        assert.equal(new Set(owner.values()).size, 3, "30 users land on all three backends");
      } finally {
        await lb.close();
        for (const b of backends) await b.kill();
      }
    });
  });
