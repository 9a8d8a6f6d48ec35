import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Etcd3 } from "etcd3";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";
import { PrivateEtcd } from "./private-etcd.ts";

// etcd stopped, then started again: the last set is served and flagged stale while it is down,
// reconnects back off (idle CPU), and a registration written once etcd is back (a service that
// kept retrying while it was down) is picked up without a restart of anything.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: PrivateEtcd;
let client: Etcd3;
let d: DiscoveryUnderTest;

before(async () => {
  etcd = await PrivateEtcd.start();
  client = etcd.client();
  await client.put(`${prefix}a`).value(endpointValue("127.0.0.1:9601"));
  d = await startDiscovery({ endpoint: etcd.endpoint, prefix });
});

after(async () => {
  await d?.stop();
  client?.close();
  await etcd?.remove();
});

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

void test("etcd down: the last set stays, marked stale; etcd back: a new registration is picked up", async (t) => {
  assert.deepEqual(d.urls(), ["http://127.0.0.1:9601"]);
  assert.equal(await d.metric("traceway.discovery.stale"), 0);

  await etcd.stop();
  const downAt = performance.now();
  const cpuAtDown = cpuMs();
  await waitFor(() => d.discovery.stale, { what: "the stale flag after etcd stopped", timeoutMs: 15_000 });
  t.diagnostic(`stale ${Math.round(performance.now() - downAt)} ms after etcd stopped`);
  assert.equal(await d.metric("traceway.discovery.stale"), 1);
  assert.deepEqual(d.urls(), ["http://127.0.0.1:9601"], "the last known set is still served");
  const warning = d.logs.find((l) => String(l.msg).includes("serving the last known backend set (stale)"));
  assert.equal(warning?.level, 40);
  assert.equal(warning?.backends, 1);

  // Several failed reconnects, spaced by the backoff, cost next to no CPU.
  await waitFor(async () => ((await d.metric("traceway.discovery.errors")) ?? 0) >= 4, {
    what: "four failed attempts while etcd is down",
    timeoutMs: 30_000,
    intervalMs: 250,
  });
  const downMs = performance.now() - downAt;
  const cpuShare = (cpuMs() - cpuAtDown) / downMs;
  const attempts = d.listAttempts;
  t.diagnostic(
    `${attempts} lists in ${Math.round(downMs)} ms down; CPU ${(cpuShare * 100).toFixed(2)}% of one core`,
  );
  assert.ok(cpuShare < 0.05, `${(cpuShare * 100).toFixed(1)}% of a core while etcd was down`);
  assert.equal(
    d.logs.filter((l) => l.level === 40 && String(l.msg).includes("stale")).length,
    1,
    "one warning for the outage, not one per attempt",
  );

  await etcd.restart();
  const upAt = performance.now();
  await client.put(`${prefix}b`).value(endpointValue("127.0.0.1:9602"));
  await d.waitForUrls(
    ["http://127.0.0.1:9601", "http://127.0.0.1:9602"],
    "the registration made after etcd returned",
    30_000,
  );
  t.diagnostic(`registration picked up ${Math.round(performance.now() - upAt)} ms after etcd was back`);
  await waitFor(() => !d.discovery.stale, { what: "the stale flag to clear" });
  assert.equal(await d.metric("traceway.discovery.stale"), 0);
  assert.ok(d.logs.some((l) => l.msg === "etcd discovery: reachable again, backend set is current"));
});
