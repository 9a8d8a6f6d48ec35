import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, startGinService, uniqueNames } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// The Gin service registers <prefix><host:port> under a TTL lease, with the JSON of etcd's naming
// package (what the gRPC etcd resolver and traceway's etcd-endpoints format read).
const { prefix } = uniqueNames("register");
let etcd: Etcd3;
let service: GinService;

before(
  async () => {
    await ensureServices("etcd");
    etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
    service = await startGinService([
      "--etcd",
      ETCD_ENDPOINT,
      "--prefix",
      prefix,
      "--ttl",
      "7s",
      "--kafka",
      "",
      "--version",
      "2.3.4",
      "--weight",
      "5",
    ]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await service?.stop();
  await etcd?.delete().prefix(prefix);
  etcd?.close();
});

void test("the key appears under the prefix with a lease of the given TTL and the endpoints JSON", async () => {
  const key = `${prefix}${service.advertise}`;
  const kv = await waitFor(async () => (await etcd.get(key).exec()).kvs[0], {
    what: `etcd key ${key}`,
    timeoutMs: 15_000,
  });
  assert.notEqual(kv.lease, "0", "the key is bound to a lease");
  const ttl = await etcd.leaseClient.leaseTimeToLive({ ID: kv.lease });
  assert.equal(Number(ttl.grantedTTL), 7);
  assert.ok(Number(ttl.TTL) > 0 && Number(ttl.TTL) <= 7, `remaining TTL ${ttl.TTL}`);

  const value = JSON.parse(kv.value.toString()) as Record<string, unknown>;
  assert.equal(value["Addr"], service.advertise);
  assert.equal(service.url, `http://${service.advertise}`, "127.0.0.1:0 registers the port it bound");
  const metadata = value["Metadata"] as Record<string, unknown>;
  assert.equal(metadata["version"], "2.3.4");
  assert.equal(metadata["weight"], 5);
  assert.equal(metadata["serviceName"], "gin-service");
  assert.equal(typeof metadata["instanceId"], "string");

  const registered = await service.waitForLine("registered in etcd");
  assert.equal(registered["key"], key);
  assert.equal(registered["lease_id"], BigInt(kv.lease).toString(16));
});

void test("keep-alive renews the lease before it runs out", async () => {
  const key = `${prefix}${service.advertise}`;
  const first = (await etcd.get(key).exec()).kvs[0];
  assert.ok(first !== undefined);
  // Poll the remaining TTL until it has been renewed back up after dropping (TTL 7 s: renewals every ~2.3 s).
  let lowest = 7;
  await waitFor(
    async () => {
      const ttl = Number((await etcd.leaseClient.leaseTimeToLive({ ID: first.lease })).TTL);
      lowest = Math.min(lowest, ttl);
      return ttl > lowest;
    },
    { what: `lease ${first.lease} to be renewed`, timeoutMs: 15_000, intervalMs: 250 },
  );
  const now = (await etcd.get(key).exec()).kvs[0];
  assert.equal(now?.lease, first.lease, "the same lease, kept alive");
});
