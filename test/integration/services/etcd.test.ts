import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { after, before, test } from "node:test";
import { Etcd3, type IKeyValue } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// Proves the etcd that services.sh starts is a real v3 server: watches, reads and lease expiry all work.
let client: Etcd3;
const prefix = `traceway-test/${randomUUID()}/`;

before(async () => {
  await ensureServices("etcd");
  client = new Etcd3({ hosts: ETCD_ENDPOINT });
});

after(async () => {
  await client.delete().prefix(prefix);
  client.close();
});

void test("a prefix watch sees a put, and get returns the value", async () => {
  const watcher = await client.watch().prefix(prefix).create();
  try {
    const seen = once(watcher, "put") as Promise<[IKeyValue]>;
    await client.put(`${prefix}backend-a`).value("http://127.0.0.1:1");
    const [kv] = await seen;
    assert.equal(kv.key.toString(), `${prefix}backend-a`);
    assert.equal(kv.value.toString(), "http://127.0.0.1:1");
    assert.equal(await client.get(`${prefix}backend-a`).string(), "http://127.0.0.1:1");
  } finally {
    await watcher.cancel();
  }
});

void test("a key bound to a lease disappears when its TTL runs out", async () => {
  const lease = client.lease(1, { autoKeepAlive: false });
  const key = `${prefix}leased`;
  await lease.put(key).value("up");
  assert.equal(await client.get(key).string(), "up");
  await waitFor(async () => (await client.get(key).string()) === null, {
    what: `etcd to drop ${key} after its 1 s lease expired`,
    timeoutMs: 15_000,
    intervalMs: 200,
  });
  lease.release();
});
