import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  BUILD_TIMEOUT_MS,
  ginServiceBinary,
  startGinService,
  uniqueNames,
  type GinService,
} from "../examples/example-processes.ts";
import { startDiscoveringBalancer, startLoad, type DiscoveringBalancer } from "./balancer-harness.ts";
import { PrivateEtcd } from "./private-etcd.ts";

// etcd stopped under load, then started again: not one request fails, the stale gauge is 1 while
// etcd is down, and an instance started while etcd was down (its registration retrying) joins the
// pool once etcd is back. A private etcd: the shared one is never stopped.
const { prefix } = uniqueNames("discovery-etcd-outage");
let etcd: PrivateEtcd;
let lb: DiscoveringBalancer;
const gins: GinService[] = [];

before(
  async () => {
    await ginServiceBinary();
    etcd = await PrivateEtcd.start();
    lb = await startDiscoveringBalancer({
      etcd: etcd.endpoint,
      prefix,
      upstream: "    strategy: round_robin\n    healthCheck: { path: /healthz, interval: 1s }",
    });
    for (let i = 0; i < 2; i++) {
      gins.push(
        await startGinService(["--etcd", etcd.endpoint, "--prefix", prefix, "--ttl", "5s", "--kafka", ""]),
      );
    }
    await waitFor(() => lb.members().length === 2, { what: "two instances in the pool" });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all(gins.map((g) => g.stop()));
  await lb?.stop();
  await etcd?.remove();
});

void test("etcd down under load: no request fails, the set is stale, and a registration made meanwhile arrives after", async (t) => {
  const load = startLoad(`${lb.url}/api/items?limit=5`, {
    concurrency: 4,
    maxRequests: 100_000,
    maxMs: 90_000,
  });
  await waitFor(() => load.sent > 200, { what: "the load to get going" });
  assert.equal(await lb.metric("traceway.discovery.stale"), 0);

  await etcd.stop();
  await waitFor(async () => (await lb.metric("traceway.discovery.stale")) === 1, {
    what: "the stale gauge to rise",
  });
  // An instance that starts while etcd is down serves, and keeps retrying its registration.
  const late = await startGinService([
    "--etcd",
    etcd.endpoint,
    "--prefix",
    prefix,
    "--ttl",
    "5s",
    "--kafka",
    "",
  ]);
  gins.push(late);
  await late.waitForLine("etcd registration failed; retrying");
  const sentWhileDown = load.sent;
  await waitFor(() => load.sent > sentWhileDown + 500, { what: "load served while etcd is down" });
  assert.equal(lb.members().length, 2, "the last known set is served");

  await etcd.restart();
  const upAt = Date.now();
  const registered = await late.waitForLine("registered in etcd", undefined, 30_000);
  await waitFor(() => late.lines.some((l) => l.msg === "request" && l.route === "/api/items"), {
    what: "the late instance to be sent requests",
    timeoutMs: 30_000,
  });
  await waitFor(async () => (await lb.metric("traceway.discovery.stale")) === 0, {
    what: "the stale gauge to fall",
  });
  const result = await load.stop();
  t.diagnostic(
    `${result.sent} requests, ${result.failures.length} failed; the late instance registered ` +
      `${Date.parse(String(registered.timestamp)) - upAt} ms after etcd came back`,
  );
  assert.deepEqual(result.failures, []);
  assert.deepEqual(lb.members(), gins.map((g) => g.advertise).sort());
  assert.ok(((await lb.metric("traceway.discovery.errors")) ?? 0) > 0);
  assert.ok(lb.logs.some((l) => l.msg === "etcd discovery: reachable again, backend set is current"));
});
