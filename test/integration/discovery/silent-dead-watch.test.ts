import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Etcd3 } from "etcd3";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";
import { PrivateEtcd } from "./private-etcd.ts";
import { TcpRelay } from "./tcp-relay.ts";

// A watch that dies silently (Traefik #566, APISIX #13067): a relay between the watcher and etcd
// stops carrying bytes but closes nothing, and etcd stays up. The watcher must notice within 15 s
// (gRPC keepalive or an unanswered progress request), serve the last set meanwhile, back off
// without spinning, and once bytes flow again list and catch up on what changed in between.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: PrivateEtcd;
let relay: TcpRelay;
let client: Etcd3;
let d: DiscoveryUnderTest;

before(async () => {
  etcd = await PrivateEtcd.start();
  relay = await TcpRelay.start({ host: "127.0.0.1", port: etcd.clientPort });
  client = etcd.client();
  await client.put(`${prefix}a`).value(endpointValue("127.0.0.1:9501"));
  d = await startDiscovery({ endpoint: relay.endpoint, prefix });
});

after(async () => {
  await d?.stop();
  client?.close();
  await relay?.close();
  await etcd?.remove();
});

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};

void test("a relay that stops carrying bytes is noticed within 15 s, costs no CPU, and is caught up after", async (t) => {
  await client.put(`${prefix}b`).value(endpointValue("127.0.0.1:9502"));
  await d.waitForUrls(["http://127.0.0.1:9501", "http://127.0.0.1:9502"], "the watch to be live");
  const listsBefore = d.listAttempts;

  relay.cut();
  const cutAt = performance.now();
  const cpuAtCut = cpuMs();
  await waitFor(() => d.discovery.stale, {
    what: "the watcher to notice the dead relay",
    timeoutMs: 20_000,
    intervalMs: 100,
  });
  const noticedMs = performance.now() - cutAt;
  t.diagnostic(`dead relay noticed after ${Math.round(noticedMs)} ms`);
  assert.ok(noticedMs < 15_000, `noticed after ${Math.round(noticedMs)} ms`);
  assert.equal(await d.metric("traceway.discovery.stale"), 1);
  assert.deepEqual(d.urls(), ["http://127.0.0.1:9501", "http://127.0.0.1:9502"], "the last set is served");

  // Changes made while the watcher cannot see etcd.
  await client.delete().key(`${prefix}a`);
  await client.put(`${prefix}c`).value(endpointValue("127.0.0.1:9503"));

  // Stay cut until a new connection through the dead relay has failed too, then measure.
  const acceptedAtNotice = relay.accepted;
  let errorsAtReconnect = Infinity;
  await waitFor(
    async () => {
      const errors = (await d.metric("traceway.discovery.errors")) ?? 0;
      if (errorsAtReconnect === Infinity && relay.accepted > acceptedAtNotice) errorsAtReconnect = errors;
      return errors > errorsAtReconnect;
    },
    { what: "a reconnect through the dead relay to fail", timeoutMs: 60_000, intervalMs: 250 },
  );
  const outageMs = performance.now() - cutAt;
  const cpuShare = (cpuMs() - cpuAtCut) / outageMs;
  t.diagnostic(
    `CPU while cut: ${(cpuShare * 100).toFixed(2)}% of one core over ${Math.round(outageMs)} ms, ` +
      `${relay.accepted} connections through the relay`,
  );
  assert.ok(
    cpuShare < 0.05,
    `the process used ${(cpuShare * 100).toFixed(1)}% of a core while etcd was cut off`,
  );
  assert.equal(d.urls().length, 2, "still the last set");
  t.diagnostic(
    `failures while cut: ${d.logs
      .filter((l) => typeof l.errorType === "string")
      .map((l) => `${String(l.errorType)} (retry in ${String(l.retryInMs)} ms)`)
      .join(", ")}`,
  );

  relay.restore();
  const restoredAt = performance.now();
  await d.waitForUrls(
    ["http://127.0.0.1:9502", "http://127.0.0.1:9503"],
    "the catch-up after the relay returns",
    30_000,
  );
  t.diagnostic(`caught up ${Math.round(performance.now() - restoredAt)} ms after bytes flowed again`);
  assert.ok(d.listAttempts > listsBefore, "it listed again");
  await waitFor(() => !d.discovery.stale, { what: "the stale flag to clear" });
  assert.equal(await d.metric("traceway.discovery.stale"), 0);
});
