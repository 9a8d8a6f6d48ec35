import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { parseConfigText } from "../../../src/config/load.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { markdownBlock } from "../../helpers/markdown-block.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { byPid, scrape, spread, startInstance, total, type Instance } from "../workers/instance.ts";

const PAGE = join(import.meta.dirname, "..", "..", "..", "docs", "workers.md");
const N = 200;

/** Replaces `from` with `to` in `text`, failing when the page no longer says `from`. */
function swap(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), `docs/workers.md's example no longer has ${from}`);
  return text.replaceAll(from, to);
}

let backends: TestBackend[];
let instance: Instance;
let metricsUrl: string;

before(async () => {
  backends = await Promise.all(["a", "b"].map((n) => startBackend(n)));
  const metricsPort = await closedPort();
  metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  // The example as written, on loopback: its addresses become the test's own.
  let yaml = markdownBlock(PAGE, "## Configure");
  yaml = swap(yaml, "0.0.0.0:8080", "127.0.0.1:0");
  yaml = swap(yaml, "http://10.0.0.7:8080", backends[0]!.url);
  yaml = swap(yaml, "http://10.0.0.8:8080", backends[1]!.url);
  yaml = swap(yaml, "0.0.0.0:9464", `127.0.0.1:${metricsPort}`);
  assert.deepEqual(parseConfigText(yaml, { env: {} }).warnings, []);
  instance = await startInstance(yaml);
});
after(async () => {
  await instance?.stop();
  await Promise.all((backends ?? []).map((b) => b.kill()));
});

void test("the docs/workers.md example starts two workers that serve both backends, with one scrape for all", async () => {
  assert.equal(instance.workers.size, 2);
  const bodies = await spread(`${instance.url}/x`, N, 8);
  assert.deepEqual([...bodies.keys()].sort(), ["a", "b"]);
  // The default access log: one line per request, from both workers. A worker records a request
  // when its response has ended, which the client may see first.
  await waitFor(() => instance.access().length === N, { what: `${N} access lines` });
  const perWorker = byPid(instance.access());
  assert.deepEqual([...perWorker.keys()].sort(), [...instance.workers.values()].sort());
  await waitFor(
    async () => total(await scrape(metricsUrl), /^http_server_request_duration(_seconds)?_count$/) === N,
    { what: `the scrape to count all ${N} requests` },
  );
});
