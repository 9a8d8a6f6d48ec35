import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView, TransitionView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { addScrapeTarget, ensureServices, PROMETHEUS_URL, waitForScrape } from "../../helpers/services.ts";
import { connectEvents, type SseClient } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminGet, AUTH, canaryYaml } from "./canary-fixture.ts";

// analysis.metrics against the real Prometheus: the canary answers fast and without errors (its
// own numbers pass), but a metric it exports says it is bad; the rendered query ({{ backends }}
// matches the scrape target's instance) fails the analyses and the canary is rolled back. A broken
// query is a reading without a value, with Prometheus' error, never a pass.

const JOB = `canary-metric-${randomUUID()}`;
let stable: TestBackend;
let canary: TestBackend;
let traceway: TracewayCli;
let events: SseClient;
let removeTarget: () => Promise<void>;
let removeDir: () => Promise<void>;

before(async () => {
  await ensureServices("prometheus");
  stable = await startBackend("stable");
  canary = await startBackend("canary", (req, res, backend) => {
    req.resume();
    if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end("# TYPE canary_bad_ratio gauge\ncanary_bad_ratio 0.5\n");
      return;
    }
    res.writeHead(200, { "x-backend": backend.name }).end(backend.name);
  });
  removeTarget = await addScrapeTarget({ job: JOB, target: canary.url.slice("http://".length) });
  await waitForScrape(JOB);
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  const yaml = canaryYaml(
    [stable],
    `backends: [{ url: "${canary.url}" }]
steps: [50, 100]
interval: 2s
failureLimit: 2
analysis:
  minRequests: 5
  prometheus: { url: "${PROMETHEUS_URL}", timeout: 5s }
  metrics:
    - name: bad_ratio
      query: 'max(canary_bad_ratio{job="${JOB}", instance=~"{{ backends }}"})'
      max: 0.1
    - name: broken
      query: "sum("
      max: 1`,
  );
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), yaml);
  events = await connectEvents(`${traceway.adminUrl}/api/v1/events`, AUTH);
});

after(async () => {
  events?.close();
  await traceway?.stop();
  await removeTarget?.();
  await stable?.kill();
  await canary?.kill();
  await removeDir?.();
});

test("a PromQL metric outside its range rolls the canary back; a broken query is no data", async () => {
  let done = false;
  const rollback = events.next(
    "canary",
    (e: TransitionView) => e.to === "rolled_back",
    "the rollback",
    60_000,
  );
  const load = runLoad({
    url: traceway.url,
    count: 100_000,
    maxMs: 60_000,
    concurrency: 2,
    until: () => done,
  });
  await rollback;
  done = true;
  await load;

  const view = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(view.phase, "rolled_back");
  const failed = view.analyses.filter((a) => a.verdict === "fail");
  assert.equal(failed.length, 2);
  for (const a of failed) {
    const byName = Object.fromEntries(a.checks.map((c) => [c.name, c]));
    assert.equal(byName.p99?.ok, true, "traceway's own latency passed");
    assert.equal(byName.error_rate?.ok, true, "and its error rate");
    assert.deepEqual(
      [byName.bad_ratio?.value, byName.bad_ratio?.max, byName.bad_ratio?.ok],
      [0.5, 0.1, false],
    );
    assert.equal(byName.broken?.value, null);
    assert.equal(byName.broken?.ok, null);
    assert.match(byName.broken?.error ?? "", /Prometheus refused the query/);
    assert.match(a.reason, /bad_ratio 0\.5 > 0\.1/);
  }
});
