import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import type { Etcd3 } from "etcd3";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { PrivateEtcd } from "./private-etcd.ts";

// etcd away for longer than the lease TTL: `traceway register` gives the lease up as lost, keeps
// retrying with backoff, and once etcd is back registers again on a new lease that it renews.
// A private etcd, because this one is stopped.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: PrivateEtcd;
let client: Etcd3;
let service: TestBackend;
let cli: CliProcess;

before(async () => {
  etcd = await PrivateEtcd.start();
  client = etcd.client();
  service = await startBackend("svc");
  cli = startCli([
    "register",
    "--etcd",
    etcd.endpoint,
    "--prefix",
    prefix,
    "--url",
    service.url,
    "--ttl",
    "2s",
  ]);
});

after(async () => {
  await cli?.stop();
  await service?.kill();
  client?.close();
  await etcd?.remove();
});

const leaseOf = async (key: string): Promise<string | undefined> =>
  (await client.get(key).exec()).kvs[0]?.lease;

void test("a lease lost while etcd was down is granted again once etcd is back, and renewed", async () => {
  const key = `${prefix}127.0.0.1:${service.port}`;
  const first = await waitFor(() => leaseOf(key), {
    what: "the first registration",
    timeoutMs: 15_000,
  });

  await etcd.stop();
  await cli.waitForOutput(/"lease lost; registering again"/, "the lease to be given up", 20_000);
  await cli.waitForOutput(/"etcd: registration failed, retrying"/, "registration retries while etcd is down");
  await etcd.restart();

  const second = await waitFor(
    async () => {
      const lease = await leaseOf(key);
      return lease !== undefined && lease !== first ? lease : undefined;
    },
    { what: "the key on a new lease", timeoutMs: 30_000, intervalMs: 200 },
  );
  // Renewed: after more than two TTLs the new lease still holds the key with time to live.
  const since = Date.now();
  await waitFor(async () => Date.now() - since > 4500 && (await leaseOf(key)) === second, {
    what: "the new lease to be kept alive",
    timeoutMs: 15_000,
    intervalMs: 500,
  });
  const ttl = await client.leaseClient.leaseTimeToLive({ ID: second });
  assert.ok(Number(ttl.TTL) > 0, `lease ${second} has ${ttl.TTL} s left`);
});
