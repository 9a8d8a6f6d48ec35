import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { startBalancer } from "../../../src/server/balancer.ts";
import { startBackend } from "../../helpers/http-backend.ts";
import { errorCode, httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

for (const transport of TRANSPORTS)
  describe(`maxConnsPerBackend (${transport})`, () => {
    it("queues requests beyond the limit, serves them as slots free, and refuses when the queue is full", async () => {
      const waiting: (() => void)[] = [];
      const backend = await startBackend("slow", (req, res) => {
        req.resume();
        waiting.push(() => res.end("done"));
      });
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream("api", [backend.url], {
              maxConnsPerBackend: 2,
              queue: { size: 2, timeoutMs: 10_000 },
            }),
          ],
          { transport },
        ),
      });
      try {
        const requests = Array.from({ length: 4 }, () => httpGet(`${lb.url}/`));
        await waitFor(() => waiting.length === 2, { what: "two requests at the backend" });
        await waitFor(() => lb.queues().get("api")?.length === 2, { what: "two requests queued" });
        assert.equal(backend.requests.length, 2, "the limit holds: two in flight, two waiting");

        const refused = await httpGet(`${lb.url}/`);
        assert.equal(refused.status, 503);
        assert.equal(errorCode(refused.body), "TRACEWAY_ERR_QUEUE_FULL");

        for (let released = 0; released < 4; released++) {
          await waitFor(() => waiting.length > 0, { what: "a request at the backend" });
          waiting.shift()?.();
        }
        const results = await Promise.all(requests);
        assert.deepEqual(
          results.map((r) => r.body),
          ["done", "done", "done", "done"],
        );
      } finally {
        for (const release of waiting) release();
        await lb.close();
        await backend.kill();
      }
    });

    it("gives up on a queued request after queue.timeout with 503 TRACEWAY_ERR_QUEUE_TIMEOUT", async () => {
      const held: (() => void)[] = [];
      const backend = await startBackend("stuck", (req, res) => {
        req.resume();
        held.push(() => res.end("late"));
      });
      const lb = await startBalancer({
        config: testConfig(
          [
            testUpstream("api", [backend.url], {
              maxConnsPerBackend: 1,
              queue: { size: 10, timeoutMs: 100 },
            }),
          ],
          { transport },
        ),
      });
      try {
        const first = httpGet(`${lb.url}/`);
        await waitFor(() => held.length === 1, { what: "first request holding the only slot" });
        const queued = await httpGet(`${lb.url}/`);
        assert.equal(queued.status, 503);
        assert.equal(errorCode(queued.body), "TRACEWAY_ERR_QUEUE_TIMEOUT");
        held[0]?.();
        assert.equal((await first).body, "late");
      } finally {
        await lb.close();
        await backend.kill();
      }
    });
  });
