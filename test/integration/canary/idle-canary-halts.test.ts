import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { connectEvents, type SseClient } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminGet, AUTH, canaryYaml } from "./canary-fixture.ts";

// No data is never a pass: a canary that gets no traffic halts after maxIdleIntervals intervals
// without a decision, says so in the API and the log, and is never promoted.

let stable: TestBackend;
let canary: TestBackend;
let traceway: TracewayCli;
let events: SseClient;
let removeDir: () => Promise<void>;

before(async () => {
  stable = await startBackend("stable");
  canary = await startBackend("canary");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  const yaml = canaryYaml(
    [stable],
    `backends: [{ url: "${canary.url}" }]
steps: [50, 100]
interval: 1s
analysis: { minRequests: 10, maxIdleIntervals: 3 }`,
  );
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), yaml);
  events = await connectEvents(`${traceway.adminUrl}/api/v1/events`, AUTH);
});

after(async () => {
  events?.close();
  await traceway?.stop();
  await stable?.kill();
  await canary?.kill();
  await removeDir?.();
});

test("a canary that receives no traffic halts after maxIdleIntervals and is not promoted", async () => {
  await events.next("canary", (e: { to: string }) => e.to === "halted", "the canary to halt");
  const view = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(view.phase, "halted");
  assert.equal(view.share, 0, "a halted canary takes no traffic");
  assert.equal(view.step, 0);
  assert.equal(view.idleIntervals, 3);
  assert.equal(view.nextAnalysisAt, null, "no analysis is pending");
  assert.deepEqual(
    view.analyses.map((a) => [a.verdict, a.requests]),
    [
      ["no_data", 0],
      ["no_data", 0],
      ["no_data", 0],
    ],
  );
  assert.match(
    view.reason,
    /no decision for 3 intervals in a row \(maxIdleIntervals 3\).*not promoted on missing data/,
  );
  assert.ok(!view.transitions.some((t) => t.to === "promoted" || (t.to === "progressing" && t.step > 0)));
  await traceway.cli.waitForOutput(/"to":"halted".*canary api: progressing -> halted/, "the halt in the log");
  assert.equal(canary.requests.length, 0);

  // Nothing moves afterwards: no timer is left to promote it.
  const analysesSeen = events.events.filter((e) => e.event === "analysis").length;
  const snapshotsSeen = events.events.filter((e) => e.event === "snapshot").length;
  const snapshots = (): number => events.events.filter((e) => e.event === "snapshot").length;
  await events.next("snapshot", () => snapshots() >= snapshotsSeen + 3, "three more snapshots (3 s)");
  assert.equal(events.events.filter((e) => e.event === "analysis").length, analysesSeen);
  assert.equal(
    (await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary")).phase,
    "halted",
  );
});
