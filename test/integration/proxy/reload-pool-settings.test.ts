import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { UpstreamConfig } from "../../../src/config/types.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

const PARALLEL = 4;

for (const transport of TRANSPORTS)
  describe(`reload rebuilds connection pools whose settings changed (${transport})`, () => {
    let backend: TestBackend;
    let lb: RunningBalancer;
    /** Requests held open by the backend until released, so concurrency is visible. */
    const held: (() => void)[] = [];
    let open = 0;
    let maxOpen = 0;
    before(async () => {
      backend = await startBackend("b", (req, res) => {
        req.resume();
        open++;
        maxOpen = Math.max(maxOpen, open);
        held.push(() => {
          open--;
          res.end("ok");
        });
      });
      lb = await startBalancer({ config: testConfig([upstream(1)], { transport }) });
    });
    after(async () => {
      await lb.close();
      await backend.kill();
    });

    function upstream(maxSockets: number): UpstreamConfig {
      return testUpstream("api", [backend.url], { keepAlive: { maxSockets, maxFreeSockets: maxSockets } });
    }

    /** Sends PARALLEL requests, waits until `expected` are held at the backend, releases them all. */
    async function burst(expected: number): Promise<number> {
      maxOpen = 0;
      const responses = Array.from({ length: PARALLEL }, () => httpGet(`${lb.url}/`));
      // Whenever `expected` requests are open at once, all of them are let go; with one
      // connection they arrive one by one, with a pool that was not rebuilt never four at once.
      let released = 0;
      await waitFor(
        () => {
          if (open >= expected) {
            for (const release of held.splice(0)) {
              release();
              released++;
            }
          }
          return released === PARALLEL;
        },
        { what: `${PARALLEL} requests through ${expected} connection(s)`, timeoutMs: 10_000, intervalMs: 5 },
      );
      for (const res of await Promise.all(responses)) assert.equal(res.status, 200);
      return maxOpen;
    }

    it("keepAlive.maxSockets 1 → 4: the backend sees one connection at a time, then four", async () => {
      assert.equal(await burst(1), 1);
      lb.reload(testConfig([upstream(PARALLEL)], { transport }));
      assert.equal(await burst(PARALLEL), PARALLEL);
    });
  });
