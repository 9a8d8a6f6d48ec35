import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { endpointValue, startDiscovery, type DiscoveryUnderTest } from "./discovery-harness.ts";

// A bad registration costs only itself: skipped with one warning naming its key, counted, and the
// valid backends go on being served, whether the bad value was there at start or written later.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;
let d: DiscoveryUnderTest;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  await etcd.put(`${prefix}good-1`).value(endpointValue("127.0.0.1:9301"));
  await etcd.put(`${prefix}not-json`).value("127.0.0.1:9302");
  await etcd.put(`${prefix}good-2`).value(JSON.stringify({ url: "http://127.0.0.1:9303" }));
  d = await startDiscovery({ endpoint: ETCD_ENDPOINT, prefix });
});

after(async () => {
  await d.stop();
  await etcd.delete().prefix(prefix);
  etcd.close();
});

const warningsFor = (key: string) =>
  d.logs.filter((l) => l.msg === "etcd discovery: skipped a malformed value" && l.key === key);

void test("a malformed value at start is skipped and counted; the valid ones are served", async () => {
  assert.deepEqual(d.urls(), ["http://127.0.0.1:9301", "http://127.0.0.1:9303"]);
  const [warning, ...more] = warningsFor(`${prefix}not-json`);
  assert.equal(more.length, 0);
  assert.equal(warning?.level, 40);
  assert.equal(warning?.upstream, "api");
  assert.match(String(warning?.reason), /^not JSON/);
  assert.equal(await d.metric("traceway.discovery.malformed_values", { "traceway.upstream": "api" }), 1);
});

void test("malformed values written later are skipped one by one and never remove the others", async () => {
  const bad: Record<string, string> = {
    "bad-port": endpointValue("127.0.0.1:99999"),
    "bad-weight": JSON.stringify({ url: "http://127.0.0.1:9304", weight: 0 }),
    "bad-shape": JSON.stringify({ address: "127.0.0.1:9305" }),
    "bad-url": JSON.stringify({ url: "http://127.0.0.1:9306/path" }),
  };
  for (const [key, value] of Object.entries(bad)) await etcd.put(`${prefix}${key}`).value(value);
  await etcd.put(`${prefix}good-3`).value(endpointValue("127.0.0.1:9307"));
  await d.waitForUrls(
    ["http://127.0.0.1:9301", "http://127.0.0.1:9303", "http://127.0.0.1:9307"],
    "good-3 to arrive after the bad values",
  );
  for (const key of Object.keys(bad)) assert.equal(warningsFor(`${prefix}${key}`).length, 1, key);
  assert.equal(await d.metric("traceway.discovery.malformed_values"), 5);
  // Every set reported since start held the valid backends: a bad value never emptied the pool.
  for (const set of d.sets) assert.ok(set.some((b) => b.url === "http://127.0.0.1:9301"));

  // A key that turns valid becomes a backend; one that turns bad leaves (its value is not a backend).
  await etcd.put(`${prefix}not-json`).value(endpointValue("127.0.0.1:9302"));
  await etcd.put(`${prefix}good-2`).value("{");
  await d.waitForUrls(
    ["http://127.0.0.1:9301", "http://127.0.0.1:9302", "http://127.0.0.1:9307"],
    "not-json fixed and good-2 broken",
  );
  assert.equal(await d.metric("traceway.discovery.malformed_values"), 6);
  assert.equal(d.listAttempts, 1);
});
