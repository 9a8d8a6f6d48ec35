// @solo: the load must stop within the 1 s interval after the canary reaches 50%, or the next analysis moves it on; a busy machine delays the stop
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CanaryView, TransitionView } from "../../../src/admin/api-types.ts";
import type { CanaryRecord } from "../../../src/canary/state-store.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { connectEvents } from "../../helpers/sse-client.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminGet, AUTH, canaryYaml } from "./canary-fixture.ts";

// canary.stateFile: a traceway restarted mid-canary resumes the run at the step it had reached,
// with its history, instead of starting again at the first step.

let stable: TestBackend;
let canary: TestBackend;
let dir: string;
let removeDir: () => Promise<void>;
let running: TracewayCli | undefined;

before(async () => {
  stable = await startBackend("stable");
  canary = await startBackend("canary");
  ({ dir, remove: removeDir } = await scratchDir());
});

after(async () => {
  await running?.stop();
  await stable?.kill();
  await canary?.kill();
  await removeDir?.();
});

test("a restart mid-canary resumes at the same step", async (t) => {
  const stateFile = join(dir, "api-canary.json");
  const yaml = canaryYaml(
    [stable],
    `backends: [{ url: "${canary.url}" }]
steps: [5, 25, 50, 100]
interval: 1s
analysis: { minRequests: 5 }
stateFile: "${stateFile}"`,
  );
  const configFile = join(dir, "traceway.yaml");
  running = await startTracewayCli(configFile, yaml);
  const events = await connectEvents(`${running.adminUrl}/api/v1/events`, AUTH);
  // Traffic until the canary reaches 50%, then none, so it stays there (no data, no decision).
  let reached = false;
  const reaching = events.next("canary", (e: TransitionView) => e.share === 50, "the canary to reach 50%");
  const load = runLoad({
    url: running.url,
    count: 100_000,
    maxMs: 30_000,
    concurrency: 4,
    until: () => reached,
  });
  await reaching;
  reached = true;
  await load;
  events.close();
  const before = await adminGet<CanaryView>(running.adminUrl!, "/api/v1/upstreams/api/canary");
  assert.equal(before.step, 2);
  assert.equal(await running.stop(), 0);
  running = undefined;

  const saved = JSON.parse(await readFile(stateFile, "utf8")) as CanaryRecord;
  assert.equal(saved.step, 2);
  assert.equal(saved.phase, "progressing");
  t.diagnostic(
    `state file after SIGTERM: phase ${saved.phase}, step ${saved.step} (${saved.analyses.length} analyses)`,
  );

  running = await startTracewayCli(configFile, yaml);
  const resumed = await waitFor(
    async () => {
      const view = await adminGet<CanaryView>(running!.adminUrl!, "/api/v1/upstreams/api/canary");
      return view.transitions[0]?.by === "restart" ? view : undefined;
    },
    { what: "the canary to resume from its state file" },
  );
  assert.equal(resumed.phase, "progressing");
  assert.equal(resumed.step, 2);
  assert.equal(resumed.share, 50);
  assert.equal(resumed.startedAt, saved.startedAt, "the same run");
  assert.match(resumed.transitions[0]!.reason, /resumed from file .*api-canary\.json after a restart/);
  assert.ok(resumed.analyses.length >= saved.analyses.length, "the history came back with it");
  // And the data path follows: half of new requests go to the canary (paused, so traffic cannot move it on).
  const paused = await fetch(`${running.adminUrl}/api/v1/upstreams/api/canary`, {
    method: "POST",
    headers: { ...AUTH, "content-type": "application/json" },
    body: JSON.stringify({ action: "pause" }),
  });
  assert.equal(((await paused.json()) as CanaryView).phase, "paused");
  const results = await runLoad({ url: running.url, count: 200, maxMs: 20_000, concurrency: 1 });
  assert.equal(results.filter((r) => r.backend === "canary").length, 100);
});
