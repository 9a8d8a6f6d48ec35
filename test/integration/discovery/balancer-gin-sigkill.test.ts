import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  BUILD_TIMEOUT_MS,
  ginServiceBinary,
  startGinService,
  uniqueNames,
  type GinService,
} from "../examples/example-processes.ts";
import { startDiscoveringBalancer, startLoad, type DiscoveringBalancer } from "./balancer-harness.ts";

// SIGKILL to one Gin instance under load: it cannot deregister. Health stops sending to it within
// the configured thresholds, its key vanishes when the lease TTL runs out and it leaves the pool,
// and GETs that hit it meanwhile are retried, so none fails.
const TTL_S = 5;
const HEALTH = { intervalMs: 500, timeoutMs: 500, unhealthyThreshold: 2 };
const { prefix } = uniqueNames("discovery-sigkill");
let etcd: Etcd3;
let lb: DiscoveringBalancer;
const gins: GinService[] = [];

before(
  async () => {
    await ensureServices("etcd");
    await ginServiceBinary();
    etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
    lb = await startDiscoveringBalancer({
      etcd: ETCD_ENDPOINT,
      prefix,
      upstream: [
        "    strategy: round_robin",
        `    healthCheck: { path: /healthz, interval: ${HEALTH.intervalMs}ms, timeout: ${HEALTH.timeoutMs}ms, unhealthyThreshold: ${HEALTH.unhealthyThreshold}, jitter: 0 }`,
      ].join("\n"),
    });
    for (let i = 0; i < 3; i++) {
      gins.push(
        await startGinService([
          "--etcd",
          ETCD_ENDPOINT,
          "--prefix",
          prefix,
          "--ttl",
          `${TTL_S}s`,
          "--kafka",
          "",
        ]),
      );
    }
    await waitFor(() => lb.members().length === 3, { what: "three instances in the pool" });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all(gins.map((g) => g.stop()));
  await lb?.stop();
  await etcd?.delete().prefix(prefix);
  etcd?.close();
});

void test("a SIGKILLed instance is marked down by health, leaves the pool at its TTL, and no GET fails", async (t) => {
  const load = startLoad(`${lb.url}/api/items?limit=5`, {
    concurrency: 8,
    maxRequests: 50_000,
    maxMs: 40_000,
  });
  await waitFor(() => load.sent > 300, { what: "the load to get going" });
  const victim = gins[0]!;
  const killedAt = Date.now();
  victim.child.kill("SIGKILL");
  await victim.exited;

  const down = await waitFor(
    () => lb.membership.find((m) => m.backend === victim.advertise && m.change === "down"),
    {
      what: "health to mark the killed instance down",
      timeoutMs: 10_000,
      intervalMs: 20,
    },
  );
  const removed = await waitFor(
    () => lb.membership.find((m) => m.backend === victim.advertise && m.change === "removed"),
    { what: "the killed instance to leave the pool", timeoutMs: (TTL_S + 10) * 1000, intervalMs: 50 },
  );
  const result = await load.stop();

  const downMs = down.at - killedAt;
  const removedMs = removed.at - killedAt;
  t.diagnostic(
    `SIGKILL → marked down ${downMs} ms, → out of the pool ${removedMs} ms (TTL ${TTL_S} s); ` +
      `${result.sent} requests, ${result.failures.length} failed`,
  );
  // Active health: `unhealthyThreshold` failed probes, one per interval, each given `timeout`.
  const healthBound = HEALTH.intervalMs * HEALTH.unhealthyThreshold + HEALTH.timeoutMs + 1000;
  assert.ok(downMs < healthBound, `marked down after ${downMs} ms (bound ${healthBound} ms)`);
  assert.ok(removedMs < (TTL_S + 3) * 1000, `left the pool ${removedMs} ms after SIGKILL`);
  assert.equal(
    await etcd.get(`${prefix}${victim.advertise}`).string(),
    null,
    "the key expired with its lease",
  );
  assert.deepEqual(result.failures, []);
  assert.deepEqual(lb.members(), [gins[1]!.advertise, gins[2]!.advertise].sort());
});
