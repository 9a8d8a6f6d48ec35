import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Etcd3 } from "etcd3";
import { readCacheFile } from "../../../src/discovery/etcd-cache-file.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";
import { PrivateEtcd } from "./private-etcd.ts";

// Starting while etcd is down: with a cacheFile the upstream serves the last set it saw; without
// one it has no backends (503) until etcd answers. Either way the set becomes etcd's once it does.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: PrivateEtcd;
let client: Etcd3;
let dir: string;
const running: DiscoveryUnderTest[] = [];

before(async () => {
  etcd = await PrivateEtcd.start();
  client = etcd.client();
  dir = await mkdtemp(join(tmpdir(), "traceway-cache-"));
});

after(async () => {
  for (const d of running) await d.stop();
  client?.close();
  await etcd?.remove();
  await rm(dir, { recursive: true, force: true });
});

async function start(cacheFile?: string): Promise<DiscoveryUnderTest> {
  const d = await startDiscovery({ endpoint: etcd.endpoint, prefix, ...(cacheFile ? { cacheFile } : {}) });
  running.push(d);
  return d;
}

void test("the cache file keeps the last set across a restart while etcd is down", async (t) => {
  const cacheFile = join(dir, "api.json");
  await client.put(`${prefix}a`).value(endpointValue("127.0.0.1:9701"));
  await client.put(`${prefix}b`).value(JSON.stringify({ url: "http://127.0.0.1:9702", weight: 5 }));
  const first = await start(cacheFile);
  await waitFor(
    async () => {
      const cached = await readCacheFile(cacheFile, prefix);
      return cached.ok && cached.backends.length === 2;
    },
    { what: "the cache file to hold both backends" },
  );
  await first.stop();
  running.splice(running.indexOf(first), 1);
  await etcd.stop();

  const startedAt = performance.now();
  const cached = await start(cacheFile);
  t.diagnostic(`started from the cache file in ${Math.round(performance.now() - startedAt)} ms`);
  assert.deepEqual(cached.sets[0], [
    { url: "http://127.0.0.1:9701", weight: 1, backup: false, metadata: {} },
    { url: "http://127.0.0.1:9702", weight: 5, backup: false, metadata: {} },
  ]);
  assert.equal(
    await cached.metric("traceway.discovery.backends", { "traceway.discovery.source": "cache" }),
    2,
  );
  assert.equal(await cached.metric("traceway.discovery.stale"), 1);
  assert.ok(cached.logs.some((l) => l.level === 40 && String(l.msg).includes("serving the cached set")));

  const none = await start();
  assert.deepEqual(none.sets, [[]], "no cache file: no backends until etcd answers");
  assert.ok(none.logs.some((l) => l.level === 40 && String(l.msg).includes("no backends until it answers")));

  await etcd.restart();
  await client.delete().key(`${prefix}b`);
  await client.put(`${prefix}c`).value(endpointValue("127.0.0.1:9703"));
  const current = ["http://127.0.0.1:9701", "http://127.0.0.1:9703"];
  await cached.waitForUrls(current, "the cached upstream to take etcd's set", 30_000);
  await none.waitForUrls(current, "the empty upstream to take etcd's set", 30_000);
  assert.equal(
    await cached.metric("traceway.discovery.backends", { "traceway.discovery.source": "cache" }),
    0,
  );
  assert.equal(
    await cached.metric("traceway.discovery.backends", { "traceway.discovery.source": "etcd" }),
    2,
  );
  await waitFor(
    async () => {
      const c = await readCacheFile(cacheFile, prefix);
      return c.ok && c.backends.map((b) => b.url).join() === current.join();
    },
    { what: "the cache file to follow etcd again" },
  );
});
