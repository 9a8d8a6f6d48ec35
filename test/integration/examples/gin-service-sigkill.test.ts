import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, startGinService, uniqueNames } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// A killed instance cannot deregister: its key must go when the lease it no longer renews expires.
const TTL_S = 2;
const { prefix } = uniqueNames("sigkill");
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
      `${TTL_S}s`,
      "--kafka",
      "",
    ]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await service?.stop();
  await etcd?.delete().prefix(prefix);
  etcd?.close();
});

void test("after SIGKILL the key vanishes once the lease TTL expires", async (t) => {
  const key = `${prefix}${service.advertise}`;
  await waitFor(async () => (await etcd.get(key).string()) !== null, {
    what: `key ${key}`,
    timeoutMs: 15_000,
  });
  service.child.kill("SIGKILL");
  const exit = await service.exited;
  assert.equal(exit.signal, "SIGKILL");
  const killedAt = Date.now();
  assert.notEqual(await etcd.get(key).string(), null, "no deregistration: the key outlives the process");
  await waitFor(async () => (await etcd.get(key).string()) === null, {
    what: `key ${key} to expire with its ${TTL_S} s lease`,
    timeoutMs: 15_000,
    intervalMs: 100,
  });
  t.diagnostic(`key gone ${Date.now() - killedAt} ms after SIGKILL (TTL ${TTL_S} s)`);
});
