import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { ConfigError } from "../../../src/config/config-error.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { httpGet } from "../../helpers/http-client.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";

for (const transport of TRANSPORTS)
  describe(`reload refuses what needs a restart (${transport})`, () => {
    let a: TestBackend;
    let b: TestBackend;
    let lb: RunningBalancer;
    before(async () => {
      [a, b] = await Promise.all([startBackend("a"), startBackend("b")]);
      lb = await startBalancer({ config: testConfig([testUpstream("api", [a.url])], { transport }) });
    });
    after(async () => {
      await lb.close();
      await Promise.all([a.kill(), b.kill()]);
    });

    it("names server.listen and server.transport, and keeps the running config whole", async () => {
      const other = transport === "undici" ? "http-proxy" : "undici";
      const next = testConfig([testUpstream("api", [b.url])], { transport: other });
      const moved = { ...next, server: { ...next.server, port: lb.port + 1 } };
      assert.throws(
        () => lb.reload(moved),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.deepEqual(
            error.problems.map((p) => p.path),
            ["server.listen", "server.transport"],
          );
          assert.match(error.message, /server\.listen: changes need a restart/);
          return true;
        },
      );
      // Not even the backend change of the refused config was applied.
      assert.equal((await httpGet(`${lb.url}/`)).body, "a");

      // The same change without the restart-only keys is applied.
      lb.reload(testConfig([testUpstream("api", [b.url])], { transport }));
      assert.equal((await httpGet(`${lb.url}/`)).body, "b");
    });
  });
