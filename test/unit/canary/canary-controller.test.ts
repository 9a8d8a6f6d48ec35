import assert from "node:assert/strict";
import { test } from "node:test";
import { CanaryController, type CanaryEvents } from "../../../src/canary/canary-controller.ts";
import type { CanaryRecord, CanaryStateStore } from "../../../src/canary/state-store.ts";
import type { CanaryConfig } from "../../../src/config/types.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import type { ControlCommand } from "../../../src/upstream/control-commands.ts";
import { FakeScheduler } from "../health/fake-scheduler.ts";

const CONFIG: CanaryConfig = {
  backends: [{ url: "http://127.0.0.1:8201", weight: 1, backup: false }],
  select: undefined,
  steps: [10, 100],
  intervalMs: 1000,
  analysis: {
    maxP99Ms: 2000,
    maxErrorRate: 0.01,
    minRequests: 5,
    maxIdleIntervals: 10,
    prometheus: { url: "http://prometheus.invalid", timeoutMs: 1000 },
    metrics: [{ name: "m", query: "q", min: undefined, max: 1 }],
  },
  failureLimit: 1,
  stickiness: undefined,
  header: undefined,
  confirmPromotion: false,
  stateFile: undefined,
};

function setup(store?: CanaryStateStore) {
  const clock = new ManualClock(10_000);
  const scheduler = new FakeScheduler();
  const pool = new UpstreamPool("api", CONFIG.backends, { clock, slowStartMs: 0, panicMode: false });
  const commands: ControlCommand[] = [];
  const storeErrors: unknown[] = [];
  let answer: (value: number | null) => void = () => {};
  const events: CanaryEvents = {
    onTransition: () => {},
    onAnalysis: () => {},
    onStoreError: (e) => storeErrors.push(e.error),
  };
  const controller = new CanaryController("api", "key", CONFIG, {
    clock,
    now: () => 1_700_000_000_000 + clock.now(),
    scheduler,
    events,
    execute: (c) => commands.push(c),
    side: () => ({ pool, strategy: { pick: () => undefined }, passive: { record: () => {} } }),
    store,
    // A Prometheus that answers when the test says so.
    query: () => new Promise((resolve) => (answer = resolve)),
  });
  const traffic = (n: number, ms: number) => {
    for (let i = 0; i < n; i++) pool.backends[0]!.stats.record(clock.now(), ms, false);
  };
  return {
    controller,
    clock,
    scheduler,
    commands,
    storeErrors,
    traffic,
    answer: (v: number | null) => answer(v),
  };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

test("an operator's abort during a pending Prometheus query is not overwritten by that interval's result", async () => {
  const t = setup();
  await t.controller.start();
  assert.deepEqual(
    { ...t.commands.at(-1), runTag: "" },
    { kind: "canary.split", upstream: "api", share: 10, runTag: "" },
  );
  t.traffic(20, 5);
  t.clock.advance(1000);
  t.scheduler.fireAll(); // the interval ends; the query is pending
  t.controller.act("abort", "ops");
  t.answer(0.5); // would have passed
  await flush();
  const view = t.controller.view();
  assert.equal(view.phase, "rolled_back");
  assert.equal(view.analyses.length, 0, "the stale analysis was dropped");
  assert.equal((t.commands.at(-1) as { share: number }).share, 0);
  assert.equal(t.scheduler.pending.size, 0, "no timer left after a rollback");
});

test("an interval is judged on the canary's own window plus the metric; a pass moves the split to the next step", async () => {
  const t = setup();
  await t.controller.start();
  t.traffic(20, 30);
  t.clock.advance(1000);
  t.scheduler.fireAll();
  t.answer(0.5);
  await flush();
  const view = t.controller.view();
  assert.equal(view.step, 1);
  assert.equal(view.analyses[0]?.requests, 20);
  assert.equal(view.analyses[0]?.p99Ms, 30);
  assert.deepEqual(
    view.analyses[0]?.checks.map((c) => [c.name, c.ok]),
    [
      ["p99", true],
      ["error_rate", true],
      ["m", true],
    ],
  );
  assert.equal((t.commands.at(-1) as { share: number }).share, 100);
});

test("a store that fails is reported and the canary runs on from memory", async () => {
  const failing: CanaryStateStore = {
    description: "file /nowhere",
    load: () => Promise.reject(new Error("EACCES")),
    save: (_: CanaryRecord) => Promise.reject(new Error("EROFS")),
    close: () => Promise.resolve(),
  };
  const t = setup(failing);
  await t.controller.start();
  t.controller.act("pause", "ops");
  await t.controller.stop();
  assert.equal(t.controller.view().phase, "paused");
  assert.deepEqual(
    t.storeErrors.map((e) => (e as Error).message),
    ["EACCES", "EROFS", "EROFS"],
  );
});
