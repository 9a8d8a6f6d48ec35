import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { errorCode, httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { createTestDiscovery } from "../../helpers/test-provider.ts";
import { waitFor } from "../../helpers/wait-for.ts";

for (const transport of TRANSPORTS)
  describe(`backends from discovery snapshots (${transport})`, () => {
    it("answers 503 until the first snapshot, then routes to exactly the last snapshot's set", async () => {
      let releaseHeld: (() => void) | undefined;
      const a = await startBackend("a", (req, res) => {
        req.resume();
        if (req.url === "/held") releaseHeld = () => res.end("a-held");
        else res.end("a");
      });
      const b = await startBackend("b");
      const discovery = createTestDiscovery();
      const lb = await startBalancer({
        config: testConfig([testUpstream("api", [])], { transport }),
        discovery: discovery.factory,
      });
      try {
        const empty = await httpGet(`${lb.url}/`);
        assert.equal(empty.status, 503);
        assert.equal(errorCode(empty.body), "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
        assert.equal(empty.headers["retry-after"], "1");

        discovery.publish("api", [a.url]);
        assert.equal((await httpGet(`${lb.url}/`)).body, "a");
        const pool = lb.pools.get("api");
        assert.equal(pool?.backends[0]?.source, "etcd");

        // a leaves while a request is still running on it: that request finishes, no new one goes there.
        const held = httpGet(`${lb.url}/held`);
        await waitFor(() => releaseHeld, { what: "the held request at a" });
        const leaving = pool?.backends[0];
        discovery.publish("api", [b.url]);
        const after = await Promise.all(Array.from({ length: 4 }, () => httpGet(`${lb.url}/`)));
        assert.deepEqual(
          after.map((r) => r.body),
          ["b", "b", "b", "b"],
        );
        assert.equal(leaving?.inFlight, 1);
        releaseHeld?.();
        assert.deepEqual(await held.then((r) => [r.status, r.body]), [200, "a-held"]);
        await waitFor(() => leaving?.inFlight === 0, { what: "the removed backend's slot freed" });
        assert.deepEqual(
          pool?.backends.map((x) => x.id),
          [b.url],
        );
      } finally {
        await lb.close();
        await Promise.all([a.kill(), b.kill()]);
      }
      assert.equal(discovery.running(), 0, "close stops the providers");
    });
  });
