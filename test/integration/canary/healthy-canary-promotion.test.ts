// @solo: each step's share is counted between 1 s analyses with a 250 ms guard around each step change, which assumes the load loop and traceway get the CPU they ask for
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView, TransitionView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad, type LoadResult } from "../../helpers/load-loop.ts";
import { connectEvents, type SseClient } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminGet, AUTH, canaryYaml } from "./canary-fixture.ts";

// A healthy canary goes 5 → 25 → 50 → 100 → promoted on its own, and at each step the share of
// requests the canary answers is the step's, within ±2 points, over at least 2,000 requests. So
// that a slow, shared machine still sends 2,000 requests in every step, the test pauses each step
// as it begins and resumes it once enough requests went through; the analyses then promote it.

const STEPS = [5, 25, 50, 100];
/** Requests sent this close to a step change may have been split by either step: not counted. */
const GUARD_MS = 250;
/** Requests each step must see before the test lets it go on. */
const PER_STEP = 2500;

let stable: TestBackend[];
let canary: TestBackend;
let traceway: TracewayCli;
let events: SseClient;
let removeDir: () => Promise<void>;

before(async () => {
  stable = [await startBackend("stable-1"), await startBackend("stable-2")];
  canary = await startBackend("canary");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  const yaml = canaryYaml(
    stable,
    `backends: [{ url: "${canary.url}" }]
steps: [${STEPS.join(", ")}]
interval: 3s
analysis: { maxP99: 2s, maxErrorRate: 0.005, minRequests: 50 }`,
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

test("a healthy canary is promoted through 5, 25, 50, 100 with each step's share within 2 points", async (t) => {
  let promoted = false;
  const results: LoadResult[] = [];
  const load = runLoad({
    url: traceway.url,
    count: 200_000,
    maxMs: 170_000,
    concurrency: 16,
    until: () => promoted,
    onResult: (r) => results.push(r),
  });
  const act = async (action: string): Promise<void> => {
    const r = await fetch(`${traceway.adminUrl}/api/v1/upstreams/api/canary`, {
      method: "POST",
      headers: { ...AUTH, "content-type": "application/json" },
      body: JSON.stringify({ action }),
    });
    assert.equal(r.status, 200, `${action}: ${await r.text()}`);
  };
  for (const [i, step] of STEPS.entries()) {
    // The start (step 0) happened before the stream was opened: the API has it.
    const entered: TransitionView =
      i === 0
        ? (await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary")).transitions.at(-1)!
        : ((
            await events.next(
              "canary",
              (e: TransitionView) => e.to === "progressing" && e.step === i && e.by === "analysis",
              `the canary to reach ${step}%`,
              60_000,
            )
          ).data as TransitionView);
    await act("pause");
    const from = Date.parse(entered.at) + GUARD_MS;
    await waitFor(() => results.filter((r) => r.sentAt >= from).length >= PER_STEP, {
      what: `${PER_STEP} requests at ${step}%`,
      timeoutMs: 60_000,
    });
    await act("resume");
  }
  await events.next("canary", (e: TransitionView) => e.to === "promoted", "the promotion", 60_000);
  promoted = true;
  await load;
  assert.ok(
    results.every((r) => r.status === 200),
    "every request succeeded",
  );

  const view = await adminGet<CanaryView>(traceway.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(view.phase, "promoted");
  assert.equal(view.share, 100);
  // Transitions, oldest first, without the test's pauses and resumes: start at 5%, one per
  // passed step, then the promotion, all decided by analysis.
  const transitions = [...view.transitions].reverse().filter((tr) => tr.by !== "admin");
  assert.deepEqual(
    transitions.map((tr) => [tr.to, tr.share, tr.by]),
    [
      ["progressing", 5, "config"],
      ["progressing", 25, "analysis"],
      ["progressing", 50, "analysis"],
      ["progressing", 100, "analysis"],
      ["promoted", 100, "analysis"],
    ],
  );
  for (const [i, step] of STEPS.entries()) {
    const from = Date.parse(transitions[i]!.at) + GUARD_MS;
    const to = Date.parse(transitions[i + 1]!.at) - GUARD_MS;
    const inStep = results.filter((r: LoadResult) => r.sentAt >= from && r.doneAt <= to);
    const share = (100 * inStep.filter((r) => r.backend === "canary").length) / inStep.length;
    t.diagnostic(`step ${step}%: ${inStep.length} requests, canary share ${share.toFixed(2)}%`);
    assert.ok(inStep.length >= 2000, `step ${step}%: only ${inStep.length} requests measured`);
    assert.ok(inStep.every((r) => r.status === 200));
    assert.ok(Math.abs(share - step) <= 2, `step ${step}%: canary share ${share.toFixed(2)}%`);
  }
  // Promoted: the canary's backends are the stable set and take everything.
  const after = await runLoad({ url: traceway.url, count: 300, maxMs: 30_000, concurrency: 4 });
  assert.ok(after.every((r) => r.backend === "canary" && r.status === 200));
});
