import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";

// Keys present at start are listed; later puts and deletes arrive through the watch, each as a new
// full set; and a healthy watch never lists again.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let d: DiscoveryUnderTest;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  await etcd.put(`${prefix}a`).value(endpointValue("127.0.0.1:9001"));
  await etcd.put(`${prefix}b`).value(JSON.stringify({ url: "http://127.0.0.1:9002", weight: 3 }));
  // Outside the prefix: never a backend.
  await etcd.put(`${prefix.slice(0, -1)}-v2/x`).value(endpointValue("127.0.0.1:9999"));
  d = await startDiscovery({ endpoint: ETCD_ENDPOINT, prefix });
});

after(async () => {
  await d.stop();
  await etcd.delete().prefix(prefix);
  await etcd.delete().prefix(`${prefix.slice(0, -1)}-v2/`);
  etcd.close();
});

void test("the first set is the prefix's contents, in both value formats", () => {
  assert.deepEqual(d.sets[0], [
    { url: "http://127.0.0.1:9001", weight: 1, backup: false, metadata: {} },
    { url: "http://127.0.0.1:9002", weight: 3, backup: false, metadata: {} },
  ]);
});

void test("a put adds a backend, a changed value changes it, a delete removes it", async () => {
  await etcd.put(`${prefix}c`).value(endpointValue("127.0.0.1:9003", { zone: "b" }));
  await d.waitForUrls(["http://127.0.0.1:9001", "http://127.0.0.1:9002", "http://127.0.0.1:9003"], "c added");
  assert.deepEqual(d.sets.at(-1)?.at(-1), {
    url: "http://127.0.0.1:9003",
    weight: 1,
    backup: false,
    metadata: { zone: "b" },
  });

  await etcd.put(`${prefix}a`).value(endpointValue("127.0.0.1:9011"));
  await d.waitForUrls(["http://127.0.0.1:9011", "http://127.0.0.1:9002", "http://127.0.0.1:9003"], "a moved");

  await etcd.delete().key(`${prefix}b`);
  await d.waitForUrls(["http://127.0.0.1:9011", "http://127.0.0.1:9003"], "b deleted");

  assert.equal(d.listAttempts, 1, "a healthy watch never lists again");
  assert.equal(await d.metric("traceway.discovery.backends", { "traceway.discovery.source": "etcd" }), 2);
  assert.equal(await d.metric("traceway.discovery.updates"), d.sets.length);
  assert.equal(await d.metric("traceway.discovery.stale"), 0);
  assert.equal(await d.metric("traceway.discovery.errors"), undefined);
});
