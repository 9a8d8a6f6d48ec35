import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { connectEvents, type SseClient } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminGet, AUTH, canaryYaml, failingEvery } from "./canary-fixture.ts";

// A canary that answers 2% of its requests with a 500 (every 50th) against maxErrorRate 0.5%.

let stable: TestBackend[];
let canary: TestBackend;
let traceway: TracewayCli;
let events: SseClient;
let removeDir: () => Promise<void>;

before(async () => {
  stable = [await startBackend("stable-1"), await startBackend("stable-2")];
  canary = await failingEvery("canary", 50);
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  const yaml = canaryYaml(
    stable,
    `backends: [{ url: "${canary.url}" }]
steps: [20, 50, 100]
interval: 2s
analysis: { maxP99: 2s, maxErrorRate: 0.005, minRequests: 50 }
failureLimit: 2`,
  );
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), yaml);
  events = await connectEvents(`${traceway.adminUrl}/api/v1/events`, AUTH);
});

after(async () => {
  events?.close();
  await traceway?.stop();
  for (const b of [...(stable ?? []), canary]) await b?.kill();
  await removeDir?.();
});

test("a canary with a 2% 5xx rate is rolled back on its error rate", async (t) => {
  let rolledBack = false;
  const rollback = events.next("canary", (e: { to: string }) => e.to === "rolled_back", "the rollback");
  const load = runLoad({
    url: traceway.url,
    count: 20_000,
    maxMs: 60_000,
    concurrency: 8,
    until: () => rolledBack,
  });
  await rollback;
  rolledBack = true;
  const results = await load;

  const view = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(view.phase, "rolled_back");
  assert.equal(view.share, 0);
  const failed = view.analyses.filter((a) => a.verdict === "fail");
  assert.equal(failed.length, 2);
  for (const a of failed) {
    assert.ok(a.requests >= 50, `decided on ${a.requests} requests`);
    assert.ok(a.errorRate !== null && a.errorRate > 0.005 && a.errorRate < 0.05, `error rate ${a.errorRate}`);
    assert.equal(a.checks.find((c) => c.name === "error_rate")?.ok, false);
    assert.equal(
      a.checks.find((c) => c.name === "p99")?.ok,
      true,
      "latency was fine: the error rate decided",
    );
  }
  assert.ok(!view.transitions.some((tr) => tr.to === "promoted"));
  const fromCanary = results.filter((r) => r.backend === "canary");
  const errors = fromCanary.filter((r) => r.status === 500).length;
  t.diagnostic(
    `canary answered ${fromCanary.length} requests, ${errors} with 500 (${((100 * errors) / fromCanary.length).toFixed(1)}%); ` +
      `failed analyses at error rates ${failed.map((a) => ((a.errorRate ?? 0) * 100).toFixed(2) + "%").join(", ")}`,
  );
  assert.ok(results.filter((r) => r.backend.startsWith("stable-")).every((r) => r.status === 200));
});
