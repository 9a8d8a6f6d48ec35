// @solo: the rollback must come within two 1 s intervals of the canary's first slow answer; a busy machine stretches the intervals past that bound
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { BackendView, CanaryView, UpstreamView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad, type LoadResult } from "../../helpers/load-loop.ts";
import { connectEvents, type SseClient } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminGet, AUTH, canaryYaml, slowBackend } from "./canary-fixture.ts";

// The seed: a canary whose p99 goes over 2 s is rolled back. The canary answers in 2.5 s; with
// interval 1s and failureLimit 2 it must be rolled back within two failed intervals of its first
// slow answer, then get no request at all, while every request to the stable set succeeds.

let stable: TestBackend[];
let canary: TestBackend;
let traceway: TracewayCli;
let events: SseClient;
let removeDir: () => Promise<void>;

before(async () => {
  stable = [await startBackend("stable-1"), await startBackend("stable-2")];
  canary = await slowBackend("canary", 2500);
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  const yaml = canaryYaml(
    stable,
    `backends: [{ url: "${canary.url}" }]
steps: [5, 25, 50, 100]
interval: 1s
analysis: { maxP99: 2s, maxErrorRate: 0.005, minRequests: 3 }
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

test("a canary answering in 2.5 s is rolled back within failureLimit intervals, then gets no request", async (t) => {
  let rolledBack = false;
  const watching = events.next(
    "canary",
    (e: CanaryView & { to: string }) => e.to === "rolled_back",
    "the rollback",
  );
  const load = runLoad({
    url: traceway.url,
    count: 5000,
    maxMs: 30_000,
    concurrency: 64,
    ratePerSecond: 200,
    until: () => rolledBack,
  });
  const rollback = await watching;
  rolledBack = true;
  const during = await load;
  const rollbackAt = Date.parse((rollback.data as { at: string }).at);

  const view = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(view.phase, "rolled_back");
  assert.equal(view.share, 0);
  const failed = view.analyses.filter((a) => a.verdict === "fail");
  assert.equal(failed.length, 2, "rolled back on the second failed analysis");
  assert.deepEqual(
    view.analyses.slice(0, 2).map((a) => a.verdict),
    ["fail", "fail"],
    "the two failures were the last two analyses: the first intervals with data",
  );
  for (const a of failed) assert.ok(a.p99Ms !== null && a.p99Ms > 2000, `failed on p99 ${a.p99Ms}`);
  assert.match(view.reason, /2 failed analyses \(failureLimit 2\), last: p99 \d+ms > 2000ms/);

  // Within failureLimit intervals of the canary's p99 crossing 2 s: its first slow answer.
  const firstSlow = during.filter((r) => r.backend === "canary").sort((a, b) => a.doneAt - b.doneAt)[0];
  assert.ok(firstSlow, "the canary answered at least once before the rollback");
  const crossingToRollbackMs = rollbackAt - firstSlow.doneAt;
  t.diagnostic(
    `time from the canary's p99 crossing 2 s to its rollback: ${crossingToRollbackMs} ms (interval 1 s, failureLimit 2)`,
  );

  // In-flight canary requests finish; after that the canary gets nothing.
  await waitFor(
    async () => {
      const upstream = await adminGet<UpstreamView>(traceway.adminUrl!, "/api/v1/upstreams/api");
      const backend = upstream.backends.find((b: BackendView) => b.role === "canary");
      return backend?.inFlight === 0 && backend.trafficShare === 0;
    },
    { what: "the canary's in-flight requests to finish", timeoutMs: 10_000 },
  );
  const canaryCountAtRollback = canary.requests.length;
  const afterRollback = await runLoad({ url: traceway.url, count: 500, maxMs: 30_000, concurrency: 8 });
  assert.equal(afterRollback.length, 500);
  assert.equal(
    canary.requests.length,
    canaryCountAtRollback,
    "no request reached the canary after its rollback",
  );
  assert.ok(afterRollback.every((r) => r.backend.startsWith("stable-")));

  const all: LoadResult[] = [...during, ...afterRollback];
  const toStable = all.filter((r) => r.backend.startsWith("stable-"));
  assert.ok(toStable.length > 500);
  assert.deepEqual(
    all.filter((r) => r.status !== 200),
    [],
    "no request failed (every stable answer and every canary answer was a 200)",
  );
  t.diagnostic(
    `requests before the rollback: ${during.length}, ${during.filter((r) => r.backend === "canary").length} answered by the canary`,
  );
});
