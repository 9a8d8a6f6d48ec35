import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { BUILD_TIMEOUT_MS, exitWithin, startGinService, uniqueNames } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// The seed's graceful shutdown: on SIGTERM the instance leaves etcd first, keeps answering while
// watchers drop it, then drains what is in flight and exits 0.
const { prefix } = uniqueNames("sigterm");
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
      "--kafka",
      "",
      "--shutdown-delay",
      "2s",
    ]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await service?.stop();
  await etcd?.delete().prefix(prefix);
  etcd?.close();
});

async function activeGets(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text
    .split("\n")
    .find((l) => l.startsWith('http_server_active_requests{http_request_method="GET"}'));
  return Number(line?.split(" ")[1] ?? 0);
}

void test("SIGTERM deletes the key while the listener still answers, drains the slow request, exits 0", async () => {
  const key = `${prefix}${service.advertise}`;
  await waitFor(async () => (await etcd.get(key).string()) !== null, {
    what: `key ${key}`,
    timeoutMs: 15_000,
  });
  const put = await fetch(`${service.url}/admin/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ errorRate: 0, latencyMs: 4000 }),
  });
  assert.equal(put.status, 200);
  const slow = fetch(`${service.url}/api/items?limit=2`).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { count: number },
    at: Date.now(),
  }));
  await waitFor(async () => (await activeGets(service.url)) >= 1, { what: "the slow GET in flight" });

  service.child.kill("SIGTERM");
  await waitFor(async () => (await etcd.get(key).string()) === null, {
    what: `key ${key} deleted after SIGTERM`,
    timeoutMs: 5000,
    intervalMs: 20,
  });
  const deletedAt = Date.now();
  const health = await fetch(`${service.url}/healthz`);
  assert.equal(health.status, 503, "the listener still answers after deregistration, saying it drains");
  assert.deepEqual(await health.json(), { status: "draining" });

  const done = await slow;
  assert.equal(done.status, 200, "the in-flight request completed");
  assert.equal(done.body.count, 2);
  assert.ok(done.at > deletedAt, "the slow request finished after the key was gone");
  const exit = await exitWithin(service, 20_000);
  assert.deepEqual(exit, { code: 0, signal: null });

  const order = [
    "deregistered from etcd",
    "shutdown step 2/3: closing the listener, draining in-flight requests",
  ];
  order.push("drained: listener closed, no request in flight", "stopped");
  const positions = order.map((msg) => service.lines.findIndex((l) => l["msg"] === msg));
  assert.ok(
    positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1]!)),
    `log order ${JSON.stringify(positions)}`,
  );
  await assert.rejects(fetch(`${service.url}/healthz`), "nothing listens after exit");
});
