import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Etcd3 } from "etcd3";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";
import { PrivateEtcd } from "./private-etcd.ts";

// Compaction: keys change and etcd compacts past the revision the watch must start from, so etcd
// cancels the watch. The watcher lists again, once (re-watching the compacted revision in a loop
// was flannel #2470), and ends with exactly etcd's contents. The changes and the compaction happen
// right after the first list, before the watch starts: the one moment a watch is certain to need
// compacted history. A private etcd, because compaction is cluster-wide.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: PrivateEtcd;
let client: Etcd3;
let d: DiscoveryUnderTest;

async function changeAndCompact(): Promise<void> {
  await client.delete().key(`${prefix}1`);
  await client.put(`${prefix}2`).value(endpointValue("127.0.0.1:9412"));
  await client.put(`${prefix}4`).value(endpointValue("127.0.0.1:9404"));
  const { header } = await client.put(`${prefix}5`).value(endpointValue("127.0.0.1:9405"));
  await client.delete().key(`${prefix}5`);
  await client.kv.compact({ revision: header.revision, physical: true });
}

before(async () => {
  etcd = await PrivateEtcd.start();
  client = etcd.client();
  for (const n of [1, 2, 3]) await client.put(`${prefix}${n}`).value(endpointValue(`127.0.0.1:940${n}`));
  d = await startDiscovery({
    endpoint: etcd.endpoint,
    prefix,
    afterList: (n) => (n === 1 ? changeAndCompact() : Promise.resolve()),
  });
});

after(async () => {
  await d?.stop();
  client?.close();
  await etcd?.remove();
});

/** Backend origins under the prefix, read from etcd itself. */
async function etcdContents(): Promise<string[]> {
  const values = await client.getAll().prefix(prefix).strings();
  return Object.values(values)
    .map((v) => `http://${(JSON.parse(v) as { Addr: string }).Addr}`)
    .sort();
}

void test("a watch whose revision was compacted lists again once and ends equal to etcd", async () => {
  assert.deepEqual(d.sets[0]?.map((b) => b.url).sort(), [
    "http://127.0.0.1:9401",
    "http://127.0.0.1:9402",
    "http://127.0.0.1:9403",
  ]);
  const expected = await etcdContents();
  assert.deepEqual(expected, ["http://127.0.0.1:9403", "http://127.0.0.1:9404", "http://127.0.0.1:9412"]);
  await d.waitForUrls(expected, "the set to equal etcd's contents after compaction", 30_000);
  assert.equal(await d.metric("traceway.discovery.errors", { "error.type": "compacted" }), 1);

  // The recovered watch is live: a later registration arrives through it, with no further list.
  await client.put(`${prefix}6`).value(endpointValue("127.0.0.1:9406"));
  await d.waitForUrls([...expected, "http://127.0.0.1:9406"], "a registration after recovery");
  assert.equal(d.listAttempts, 2, "one list at start, one after the compaction, no loop");
  assert.equal(await d.metric("traceway.discovery.stale"), 0);
});
