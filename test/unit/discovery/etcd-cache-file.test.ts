import assert from "node:assert/strict";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { CacheFileWriter, readCacheFile } from "../../../src/discovery/etcd-cache-file.ts";

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "traceway-cache-unit-"));
});
after(() => rm(dir, { recursive: true, force: true }));

const backend = (port: number) => ({
  url: `http://127.0.0.1:${port}`,
  weight: 1,
  backup: false,
  metadata: {},
});

test("the newest set is written atomically and read back; a burst writes only the latest", async () => {
  const file = join(dir, "nested", "api.json");
  const errors: unknown[] = [];
  const writer = new CacheFileWriter(file, "/services/api/", (e) => errors.push(e));
  for (let n = 1; n <= 50; n++) writer.write(Array.from({ length: n }, (_, i) => backend(9000 + i)));
  await writer.flush();
  const read = await readCacheFile(file, "/services/api/");
  assert.ok(read.ok);
  assert.equal(read.backends.length, 50);
  assert.deepEqual(errors, []);
  assert.deepEqual(await readdir(join(dir, "nested")), ["api.json"], "no temporary file left behind");
});

test("a missing, foreign, corrupt or other-prefix file is refused with a reason, never thrown", async () => {
  assert.deepEqual(await readCacheFile(join(dir, "none.json"), "/p/"), {
    ok: false,
    reason: `cannot read ${join(dir, "none.json")}: ENOENT`,
  });
  const file = join(dir, "bad.json");
  await writeFile(file, "{");
  assert.deepEqual(await readCacheFile(file, "/p/"), { ok: false, reason: `${file} is not JSON` });
  await writeFile(file, '{"backends":[]}');
  assert.deepEqual(await readCacheFile(file, "/p/"), {
    ok: false,
    reason: `${file} is not a traceway discovery cache (version 1)`,
  });
  await writeFile(file, JSON.stringify({ version: 1, prefix: "/q/", backends: [] }));
  assert.deepEqual(await readCacheFile(file, "/p/"), {
    ok: false,
    reason: `${file} holds prefix "/q/", not "/p/"`,
  });
  await writeFile(file, JSON.stringify({ version: 1, prefix: "/p/", backends: [{ url: "ftp://x:1" }] }));
  const read = await readCacheFile(file, "/p/");
  assert.equal(read.ok, false);
  assert.match(read.ok ? "" : read.reason, /backends\[0\]: "url": invalid URL "ftp:\/\/x:1"/);
  assert.match(await readFile(file, "utf8"), /ftp/);
});
