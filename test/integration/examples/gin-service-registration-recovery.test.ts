import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, startGinService, uniqueNames } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// Registration is never fatal: with etcd unreachable at start the service serves and retries with
// backoff, and a lease lost later is replaced by a new one.
const { prefix } = uniqueNames("register-recovery");
let etcd: Etcd3;
let relay: Server | undefined;
const relayed = new Set<Socket>();
const services: GinService[] = [];

/** A TCP relay to the shared etcd on a port chosen now but opened only by `open()`. */
async function reservedRelay(): Promise<{ port: number; open: () => Promise<void> }> {
  const probe = createServer().listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const target = new URL(ETCD_ENDPOINT);
  return {
    port,
    open: async () => {
      relay = createServer((client) => {
        const upstream = connect(Number(target.port), target.hostname);
        for (const s of [client, upstream]) {
          relayed.add(s);
          s.on("error", () => s.destroy());
          s.on("close", () => relayed.delete(s));
        }
        client.pipe(upstream).pipe(client);
      });
      relay.listen(port, "127.0.0.1");
      await once(relay, "listening");
    },
  };
}

before(
  async () => {
    await ensureServices("etcd");
    etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all(services.map((s) => s.stop()));
  for (const s of relayed) s.destroy();
  await new Promise<void>((resolve) => (relay ? relay.close(() => resolve()) : resolve()));
  await etcd?.delete().prefix(prefix);
  etcd?.close();
});

void test("etcd unreachable at start: the service serves, retries with backoff, registers once etcd answers", async () => {
  const { port, open } = await reservedRelay();
  const service = await startGinService([
    "--etcd",
    `http://127.0.0.1:${port}`,
    "--prefix",
    prefix,
    "--kafka",
    "",
  ]);
  services.push(service);
  const second = await service.waitForLine(
    "etcd registration failed; retrying",
    (l) => l["attempt"] === 2,
    30_000,
  );
  const first = service.lines.find((l) => l["attempt"] === 1 && l["msg"] === second["msg"]);
  assert.ok(Number(second["retry_in_ms"]) > Number(first?.["retry_in_ms"]), "the backoff grows");
  assert.equal((await fetch(`${service.url}/healthz`)).status, 200, "serving meanwhile");

  await open();
  const key = `${prefix}${service.advertise}`;
  const value = await waitFor(async () => (await etcd.get(key).string()) ?? undefined, {
    what: `${key} registered once etcd is reachable`,
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  assert.equal((JSON.parse(value) as { Addr: string }).Addr, service.advertise);
});

void test("a lost lease (revoked in etcd) is replaced: the key comes back under a new lease", async () => {
  const service = await startGinService([
    "--etcd",
    ETCD_ENDPOINT,
    "--prefix",
    prefix,
    "--kafka",
    "",
    "--ttl",
    "5s",
  ]);
  services.push(service);
  const key = `${prefix}${service.advertise}`;
  const before = await waitFor(async () => (await etcd.get(key).exec()).kvs[0], {
    what: key,
    timeoutMs: 15_000,
  });
  await etcd.leaseClient.leaseRevoke({ ID: before.lease });
  await service.waitForLine("etcd lease lost; registering again", undefined, 15_000);
  const after = await waitFor(
    async () => {
      const kv = (await etcd.get(key).exec()).kvs[0];
      return kv !== undefined && kv.lease !== before.lease ? kv : undefined;
    },
    { what: `${key} under a new lease`, timeoutMs: 15_000 },
  );
  assert.notEqual(after.lease, "0");
});
