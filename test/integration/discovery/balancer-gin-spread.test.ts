import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  BUILD_TIMEOUT_MS,
  ginServiceBinary,
  startGinService,
  uniqueNames,
  type GinService,
  type LogLine,
} from "../examples/example-processes.ts";
import { startDiscoveringBalancer, startLoad, type DiscoveringBalancer } from "./balancer-harness.ts";

// Three real Gin instances register themselves in etcd (etcd's naming format, with a weight in
// their metadata). traceway routes to each within 1 s of its registration, and requests spread by
// the strategy: smooth weighted round robin with weights 1, 2, 3 gives exactly 1:2:3.
const { prefix } = uniqueNames("discovery-spread");
let lb: DiscoveringBalancer;
const gins: GinService[] = [];

before(
  async () => {
    await ensureServices("etcd");
    await ginServiceBinary();
    lb = await startDiscoveringBalancer({
      etcd: ETCD_ENDPOINT,
      prefix,
      upstream: "    strategy: weighted_round_robin\n    healthCheck: { path: /healthz, interval: 1s }",
    });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all(gins.map((g) => g.stop()));
  await lb?.stop();
});

const apiRequests = (gin: GinService): LogLine[] =>
  gin.lines.filter((l) => l.msg === "request" && l.route === "/api/items");

void test("three Gin instances are routed to within 1 s of registering, in the ratio of their weights", async (t) => {
  // A trickle of requests from before the first registration, so each instance's first request is
  // the first the balancer could send it.
  const trickle = startLoad(`${lb.url}/api/items?limit=1`, {
    concurrency: 1,
    maxRequests: 100_000,
    maxMs: 60_000,
  });
  try {
    for (const weight of [1, 2, 3]) {
      const gin = await startGinService([
        "--etcd",
        ETCD_ENDPOINT,
        "--prefix",
        prefix,
        "--ttl",
        "5s",
        "--weight",
        String(weight),
        "--kafka",
        "",
      ]);
      gins.push(gin);
      const registered = await gin.waitForLine("registered in etcd");
      const registeredAt = Date.parse(String(registered.timestamp));
      await waitFor(() => apiRequests(gin).length > 0, {
        what: `a request routed to ${gin.advertise}`,
        timeoutMs: 10_000,
        intervalMs: 10,
      });
      const firstAt = Date.parse(String(apiRequests(gin)[0]?.timestamp));
      const added = lb.membership.find((m) => m.backend === gin.advertise && m.change === "added");
      assert.ok(added, `${gin.advertise} joined the pool`);
      t.diagnostic(
        `weight ${weight}: in the pool ${added.at - registeredAt} ms and first request ${firstAt - registeredAt} ms after registering`,
      );
      assert.ok(
        firstAt - registeredAt < 1000,
        `first request ${firstAt - registeredAt} ms after registration`,
      );
    }
  } finally {
    const trickled = await trickle.stop();
    assert.deepEqual(
      trickled.failures.filter((f) => !f.includes("TRACEWAY_ERR_NO_HEALTHY_BACKEND")),
      [],
    );
  }
  assert.deepEqual(lb.members(), gins.map((g) => g.advertise).sort());

  const before = gins.map((g) => apiRequests(g).length);
  const sequential = startLoad(`${lb.url}/api/items?limit=1`, {
    concurrency: 1,
    maxRequests: 600,
    maxMs: 60_000,
  });
  const result = await sequential.finished();
  assert.equal(result.sent, 600);
  assert.deepEqual(result.failures, []);
  await waitFor(() => gins.reduce((sum, g, i) => sum + apiRequests(g).length - (before[i] ?? 0), 0) === 600, {
    what: "every instance to log its requests",
  });
  const served = gins.map((g, i) => apiRequests(g).length - (before[i] ?? 0));
  t.diagnostic(`600 requests served ${served.join(" / ")} by weights 1 / 2 / 3`);
  assert.deepEqual(served, [100, 200, 300]);
});
