import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  BUILD_TIMEOUT_MS,
  exitWithin,
  ginServiceBinary,
  startGinService,
  uniqueNames,
  type GinService,
} from "../examples/example-processes.ts";
import { startDiscoveringBalancer, startLoad, type DiscoveringBalancer } from "./balancer-harness.ts";

// SIGTERM to one Gin instance under a bounded load of GETs: it deregisters first, traceway drops
// it from the pool before it stops listening, and not one client request fails.
const { prefix } = uniqueNames("discovery-sigterm");
let lb: DiscoveringBalancer;
const gins: GinService[] = [];

before(
  async () => {
    await ensureServices("etcd");
    await ginServiceBinary();
    lb = await startDiscoveringBalancer({
      etcd: ETCD_ENDPOINT,
      prefix,
      upstream: "    strategy: round_robin\n    healthCheck: { path: /healthz, interval: 1s }",
    });
    for (let i = 0; i < 3; i++) {
      gins.push(
        await startGinService(["--etcd", ETCD_ENDPOINT, "--prefix", prefix, "--ttl", "5s", "--kafka", ""]),
      );
    }
    await waitFor(() => lb.members().length === 3, { what: "three instances in the pool" });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all(gins.map((g) => g.stop()));
  await lb?.stop();
});

void test("a SIGTERMed instance leaves the pool before it stops listening, and no request fails", async (t) => {
  const load = startLoad(`${lb.url}/api/items?limit=5`, {
    concurrency: 8,
    maxRequests: 20_000,
    maxMs: 30_000,
  });
  await waitFor(() => load.sent > 300, { what: "the load to get going" });
  const victim = gins[1]!;
  victim.child.kill("SIGTERM");
  const closing = await victim.waitForLine(
    "shutdown step 2/3: closing the listener, draining in-flight requests",
  );
  const exit = await exitWithin(victim, 30_000);
  assert.equal(exit.code, 0);
  const sentAtExit = load.sent;
  await waitFor(() => load.sent > sentAtExit + 300, { what: "more load after the instance exited" });
  const result = await load.stop();

  const removed = lb.membership.find((m) => m.backend === victim.advertise && m.change === "removed");
  assert.ok(removed, "the instance left the pool");
  const listenerClosedAt = Date.parse(String(closing.timestamp));
  t.diagnostic(
    `${result.sent} requests, ${result.failures.length} failed; left the pool ${listenerClosedAt - removed.at} ms before it closed its listener`,
  );
  assert.ok(removed.at < listenerClosedAt, "out of the pool before the listener closed");
  assert.deepEqual(result.failures, []);
  assert.deepEqual(lb.members(), [gins[0]!.advertise, gins[2]!.advertise].sort());
});
