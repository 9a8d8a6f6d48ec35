import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { parseEtcdValue } from "../../../src/discovery/etcd-value.ts";
import { startCli, type CliProcess } from "../../helpers/cli-process.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// `traceway register` as a service without an etcd client would run it beside itself: the key
// appears on a lease that is kept alive, a failing health check takes it out and a passing one
// puts it back, and SIGTERM deletes it before the process exits.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let service: TestBackend;
let healthy = true;
let cli: CliProcess;
let key: string;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  service = await startBackend("svc", (req, res) => {
    req.resume();
    res.writeHead(req.url === "/healthz" && !healthy ? 503 : 200).end();
  });
  key = `${prefix}127.0.0.1:${service.port}`;
  cli = startCli([
    "register",
    "--etcd",
    ETCD_ENDPOINT,
    "--prefix",
    prefix,
    "--url",
    service.url,
    "--ttl",
    "2s",
    "--health",
    `${service.url}/healthz`,
    "--health-interval",
    "200ms",
    "--unhealthy-threshold",
    "2",
    "--healthy-threshold",
    "2",
    "--weight",
    "3",
    "--metadata",
    "version=1.4.2",
  ]);
});

after(async () => {
  await cli?.stop();
  await service?.kill();
  await etcd?.delete().prefix(prefix);
  etcd?.close();
});

const present = async (): Promise<boolean> => (await etcd.get(key).string()) !== null;

void test("the key appears on a lease, in the traceway format, and outlives its TTL", async () => {
  await waitFor(present, { what: `${key} to be registered`, timeoutMs: 15_000 });
  const response = await etcd.get(key).exec();
  const kv = response.kvs[0];
  assert.ok(kv && kv.lease !== "0", "the key is bound to a lease");
  const parsed = parseEtcdValue("traceway", kv.value);
  assert.deepEqual(parsed, {
    ok: true,
    value: { url: service.url, weight: 3, backup: false, metadata: { version: "1.4.2" } },
  });
  const ttl = await etcd.leaseClient.leaseTimeToLive({ ID: kv.lease });
  assert.equal(Number(ttl.grantedTTL), 2);

  // Kept alive: after two TTLs the same lease still holds the key.
  const grantedAt = Date.now();
  await waitFor(async () => Date.now() - grantedAt > 4000 && (await present()), {
    what: "the key to survive two TTLs",
    timeoutMs: 10_000,
    intervalMs: 250,
  });
  assert.equal((await etcd.get(key).exec()).kvs[0]?.lease, kv.lease);
});

void test("a failing health check removes the key; passing again restores it", async () => {
  healthy = false;
  const failedAt = Date.now();
  await waitFor(async () => !(await present()), { what: "the key to go", timeoutMs: 10_000, intervalMs: 50 });
  const removedMs = Date.now() - failedAt;
  // Two failed probes 200 ms apart, then the revoke: well before the 2 s TTL could expire it.
  assert.ok(removedMs < 2000, `removed after ${removedMs} ms: by the TTL, not by the health check`);
  await cli.waitForOutput(/"health check failing"/, "the failing line");

  healthy = true;
  await waitFor(present, { what: "the key to come back", timeoutMs: 10_000, intervalMs: 50 });
  const lease = (await etcd.get(key).exec()).kvs[0]?.lease;
  assert.ok(lease !== undefined && lease !== "0", "registered again on a new lease");
});

void test("SIGTERM deletes the key before the process exits", async () => {
  await waitFor(present, { what: "the key to be registered" });
  cli.child.kill("SIGTERM");
  assert.equal(await cli.exited, 0);
  assert.equal(await present(), false, "the key is gone the moment the process has exited");
  assert.match(cli.stdout(), /"deregistered: key deleted and lease revoked"/);
});
