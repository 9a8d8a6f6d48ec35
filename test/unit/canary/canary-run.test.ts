import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  afterAction,
  afterAnalysis,
  freshRecord,
  shareOf,
  type CanaryAction,
} from "../../../src/canary/canary-run.ts";
import type { AnalysisVerdict, AnalysisView } from "../../../src/canary/canary-view.ts";
import type { CanaryRecord } from "../../../src/canary/state-store.ts";
import type { CanaryConfig } from "../../../src/config/types.ts";
import { TracewayError } from "../../../src/errors.ts";

const CONFIG: CanaryConfig = {
  backends: [{ url: "http://127.0.0.1:8201", weight: 1, backup: false }],
  select: undefined,
  steps: [5, 25, 50, 100],
  intervalMs: 1000,
  analysis: {
    maxP99Ms: 2000,
    maxErrorRate: 0.005,
    minRequests: 50,
    maxIdleIntervals: 3,
    prometheus: undefined,
    metrics: [],
  },
  failureLimit: 2,
  stickiness: undefined,
  header: undefined,
  confirmPromotion: false,
  stateFile: undefined,
};
const AT = "2026-12-01T10:00:00.000Z";

function analysis(verdict: AnalysisVerdict, record: CanaryRecord): AnalysisView {
  return {
    at: AT,
    step: record.step,
    share: shareOf(record, CONFIG.steps),
    verdict,
    requests: verdict === "no_data" ? 3 : 100,
    errors: 0,
    errorRate: 0,
    p99Ms: 10,
    checks: [],
    reason: verdict,
  };
}

function run(verdicts: AnalysisVerdict[], config: CanaryConfig = CONFIG, start?: CanaryRecord): CanaryRecord {
  let r = start ?? freshRecord("api", "key", "tag", config, AT, "config");
  for (const v of verdicts) r = afterAnalysis(r, analysis(v, r), config, AT);
  return r;
}

const act = (r: CanaryRecord, action: CanaryAction, config = CONFIG) =>
  afterAction(r, action, "ops", config, AT, "newtag");

describe("canary run", () => {
  it("passes move it step by step to promotion, each transition recorded with its share", () => {
    const r = run(["pass", "pass", "pass", "pass"]);
    assert.equal(r.phase, "promoted");
    assert.equal(shareOf(r, CONFIG.steps), 100);
    assert.deepEqual(
      [...r.transitions].reverse().map((t) => `${t.from}->${t.to}@${t.share}`),
      [
        "progressing->progressing@5",
        "progressing->progressing@25",
        "progressing->progressing@50",
        "progressing->progressing@100",
        "progressing->promoted@100",
      ],
    );
  });

  it("failureLimit failed analyses roll it back to share 0, counted over the run", () => {
    const once = run(["pass", "fail"]);
    assert.equal(once.phase, "progressing");
    assert.equal(once.failures, 1);
    const r = run(["pass", "fail", "pass", "fail"]);
    assert.equal(r.phase, "rolled_back");
    assert.equal(shareOf(r, CONFIG.steps), 0);
    assert.match(r.reason, /^2 failed analyses \(failureLimit 2\), last: fail$/);
  });

  it("no data makes no decision; maxIdleIntervals in a row halts it at share 0, never promoted", () => {
    assert.equal(run(["no_data", "no_data"]).phase, "progressing");
    assert.equal(
      run(["no_data", "no_data", "pass", "no_data", "no_data"]).phase,
      "progressing",
      "a decision resets the count",
    );
    const r = run(["no_data", "no_data", "no_data"]);
    assert.equal(r.phase, "halted");
    assert.equal(r.step, 0);
    assert.equal(shareOf(r, CONFIG.steps), 0);
    assert.match(r.reason, /no decision for 3 intervals in a row.*not promoted on missing data/);
  });

  it("nothing pending blocks a rollback: a paused canary and one awaiting promotion still roll back", () => {
    const paused = act(run(["pass"]), "pause");
    assert.equal(paused.phase, "paused");
    assert.equal(run(["pass", "pass"], CONFIG, paused).step, 1, "passes do not move a paused canary");
    assert.equal(run(["fail", "fail"], CONFIG, paused).phase, "rolled_back");

    const confirm = { ...CONFIG, confirmPromotion: true };
    const waiting = run(["pass", "pass", "pass", "pass"], confirm);
    assert.equal(waiting.phase, "awaiting_promotion");
    assert.equal(shareOf(waiting, confirm.steps), 100);
    assert.equal(run(["fail", "fail"], confirm, waiting).phase, "rolled_back");
    assert.equal(act(waiting, "promote", confirm).phase, "promoted");
  });

  it("operators: resume a paused or halted canary, restart anything, abort, and conflicts change nothing", () => {
    const halted = run(["no_data", "no_data", "no_data"]);
    const resumed = act(halted, "resume");
    assert.equal(resumed.phase, "progressing");
    assert.equal(resumed.idleIntervals, 0);
    assert.equal(resumed.transitions[0]?.by, "ops");
    const restarted = act(run(["pass", "pass", "fail"]), "restart");
    assert.deepEqual(
      [restarted.phase, restarted.step, restarted.failures, restarted.runTag],
      ["progressing", 0, 0, "newtag"],
    );
    assert.equal(act(run(["pass"]), "abort").phase, "rolled_back");
    const rolledBack = run(["fail", "fail"]);
    for (const action of ["pause", "resume", "promote", "abort"] as const) {
      assert.throws(
        () => act(rolledBack, action),
        (e: unknown) => e instanceof TracewayError && e.kind === "CANARY_CONFLICT",
      );
    }
    assert.throws(() => act(run([]), "resume"), /only a paused or halted canary can be resumed/);
  });
});
