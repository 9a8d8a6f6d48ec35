import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";

// A service that dies without deregistering stops renewing its lease; etcd deletes its key when
// the TTL runs out, and that delete removes the backend.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let d: DiscoveryUnderTest;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  await etcd.put(`${prefix}static`).value(endpointValue("127.0.0.1:9100"));
  d = await startDiscovery({ endpoint: ETCD_ENDPOINT, prefix });
});

after(async () => {
  await d.stop();
  await etcd.delete().prefix(prefix);
  etcd.close();
});

void test("a key whose lease expires removes its backend, and only that one", async () => {
  const lease = etcd.lease(2, { autoKeepAlive: false });
  await lease.put(`${prefix}leased`).value(endpointValue("127.0.0.1:9101"));
  await d.waitForUrls(["http://127.0.0.1:9100", "http://127.0.0.1:9101"], "the leased registration");
  const granted = Date.now();
  lease.release(); // stop renewing, as a SIGKILLed service would
  await d.waitForUrls(["http://127.0.0.1:9100"], "the expired lease's backend to leave", 15_000);
  const gone = Date.now() - granted;
  assert.ok(gone >= 1000, `removed after ${gone} ms, before the 2 s TTL could run out`);
  assert.equal(await etcd.get(`${prefix}leased`).string(), null);
  assert.equal(d.listAttempts, 1);
});
