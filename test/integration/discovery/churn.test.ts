import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";

// Churn: 1000 register/deregister cycles (each a new key, as restarted instances produce) leave
// the heap where it was and the set equal to etcd's contents.
setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

const prefix = `/traceway-test/${randomUUID()}/api/`;
const CYCLES = 1000;
const PARALLEL = 10;
/** 2 KB of metadata per registration: keeping removed ones would add 2 MB, well above the JIT's noise. */
const PAD = "x".repeat(2048);
let etcd: Etcd3;
let d: DiscoveryUnderTest;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  for (const n of [1, 2, 3]) await etcd.put(`${prefix}stable-${n}`).value(endpointValue(`127.0.0.1:980${n}`));
  d = await startDiscovery({ endpoint: ETCD_ENDPOINT, prefix, history: 1 });
});

after(async () => {
  await d.stop();
  await etcd.delete().prefix(prefix);
  etcd.close();
});

/** `count` cycles of register-then-deregister, `PARALLEL` at a time, each on a fresh key and port. */
async function churn(round: string, count: number): Promise<void> {
  for (let i = 0; i < count; i += PARALLEL) {
    await Promise.all(
      Array.from({ length: Math.min(PARALLEL, count - i) }, async (_, j) => {
        const key = `${prefix}${round}-${i + j}`;
        await etcd.put(key).value(endpointValue(`127.0.0.1:${10_000 + ((i + j) % 50_000)}`, { note: PAD }));
        await etcd.delete().key(key);
      }),
    );
  }
}

/** Spaces that hold objects; compiled code and its metadata (V8's trusted space) grow as the JIT warms up. */
const DATA_SPACES = new Set(["new_space", "old_space", "large_object_space", "new_large_object_space"]);

/** Bytes of live objects after a full GC, once the set has settled. */
async function settledHeap(): Promise<number> {
  await d.waitForUrls(
    ["http://127.0.0.1:9801", "http://127.0.0.1:9802", "http://127.0.0.1:9803"],
    "the churn to settle",
  );
  for (let i = 0; i < 3; i++) gc();
  return getHeapSpaceStatistics()
    .filter((space) => DATA_SPACES.has(space.space_name))
    .reduce((sum, space) => sum + space.space_used_size, 0);
}

void test("1000 register/deregister cycles leave memory flat and the set equal to etcd", async (t) => {
  await churn("warm-up", 500);
  const before = await settledHeap();
  const started = performance.now();
  await churn("measured", CYCLES);
  const seconds = (performance.now() - started) / 1000;
  const afterChurn = await settledHeap();
  const grownKb = (afterChurn - before) / 1024;
  t.diagnostic(
    `${CYCLES} cycles in ${seconds.toFixed(1)} s; heap ${(before / 1048576).toFixed(1)} MB -> ` +
      `${(afterChurn / 1048576).toFixed(1)} MB (${grownKb.toFixed(0)} KB)`,
  );
  // The JIT's own growth is about 0.5 MB; keeping the removed registrations would add over 2 MB.
  assert.ok(grownKb < 1536, `heap grew by ${grownKb.toFixed(0)} KB over ${CYCLES} cycles`);

  const contents = Object.values(await etcd.getAll().prefix(prefix).strings())
    .map((v) => `http://${(JSON.parse(v) as { Addr: string }).Addr}`)
    .sort();
  assert.deepEqual(d.urls(), contents);
  assert.equal(d.listAttempts, 1);
  assert.ok(((await d.metric("traceway.discovery.updates")) ?? 0) > 2 * CYCLES, "every change was applied");
});
