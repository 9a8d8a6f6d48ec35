import type { CanaryConfig } from "../config/types.ts";
import { TracewayError } from "../errors.ts";
import { HISTORY_LENGTH, type AnalysisView, type CanaryPhase, type TransitionView } from "./canary-view.ts";
import type { CanaryRecord } from "./state-store.ts";

/**
 * The canary state machine as pure functions over a {@link CanaryRecord}: what an analysis or an
 * operator's action does to a run. The controller owns timers, stores and the split; everything
 * it decides is decided here, so the rules can be tested line by line.
 *
 *   progressing ──pass──▶ next step … last step ──pass──▶ promoted (or awaiting_promotion)
 *   progressing / paused / awaiting_promotion ──failureLimit failures──▶ rolled_back
 *   progressing / paused / awaiting_promotion ──maxIdleIntervals without data──▶ halted
 *   operators: pause, resume (paused or halted), restart, promote, abort
 */

export type CanaryAction = "pause" | "resume" | "restart" | "promote" | "abort";

/** Phases in which each interval is analysed (and a failure can roll back). */
export function isAnalysing(phase: CanaryPhase): boolean {
  return phase === "progressing" || phase === "paused" || phase === "awaiting_promotion";
}

/** Percent of the upstream's traffic the canary gets in this record's phase and step. */
export function shareOf(record: Pick<CanaryRecord, "phase" | "step">, steps: readonly number[]): number {
  if (record.phase === "promoted") return 100;
  if (record.phase === "rolled_back" || record.phase === "halted") return 0;
  return steps[Math.min(record.step, steps.length - 1)] ?? 0;
}

/** A new run at the first step. */
export function freshRecord(
  upstream: string,
  runKey: string,
  runTag: string,
  config: CanaryConfig,
  at: string,
  by: string,
): CanaryRecord {
  const start: CanaryRecord = {
    version: 1,
    upstream,
    runKey,
    runTag,
    phase: "progressing",
    step: 0,
    failures: 0,
    idleIntervals: 0,
    startedAt: at,
    updatedAt: at,
    reason: "",
    analyses: [],
    transitions: [],
  };
  return transition(start, "progressing", 0, `canary started at ${config.steps[0]}%`, by, at, config);
}

/** A stored run taken up again after a restart, at the step it had reached. */
export function resumed(record: CanaryRecord, config: CanaryConfig, at: string, from: string): CanaryRecord {
  const step = Math.min(record.step, config.steps.length - 1);
  return transition(
    { ...record, step },
    record.phase,
    step,
    `resumed from ${from} after a restart`,
    "restart",
    at,
    config,
  );
}

/** The run after one interval's analysis. */
export function afterAnalysis(
  record: CanaryRecord,
  analysis: AnalysisView,
  config: CanaryConfig,
  at: string,
): CanaryRecord {
  let r: CanaryRecord = {
    ...record,
    analyses: [analysis, ...record.analyses].slice(0, HISTORY_LENGTH),
    updatedAt: at,
  };
  if (analysis.verdict === "no_data") {
    const idle = r.idleIntervals + 1;
    r = { ...r, idleIntervals: idle };
    if (idle < config.analysis.maxIdleIntervals) return r;
    const why = `no decision for ${idle} intervals in a row (maxIdleIntervals ${config.analysis.maxIdleIntervals}), last: ${analysis.reason}; halted, not promoted on missing data`;
    return transition(r, "halted", r.step, why, "analysis", at, config);
  }
  r = { ...r, idleIntervals: 0 };
  if (analysis.verdict === "fail") {
    const failures = r.failures + 1;
    r = { ...r, failures };
    if (failures < config.failureLimit) return r;
    const why = `${failures} failed analyses (failureLimit ${config.failureLimit}), last: ${analysis.reason}`;
    return transition(r, "rolled_back", r.step, why, "analysis", at, config);
  }
  if (r.phase !== "progressing") return r;
  const why = `analysis passed at ${analysis.share}%: ${analysis.reason}`;
  if (r.step + 1 < config.steps.length)
    return transition(r, "progressing", r.step + 1, why, "analysis", at, config);
  return transition(
    r,
    config.confirmPromotion ? "awaiting_promotion" : "promoted",
    r.step,
    why,
    "analysis",
    at,
    config,
  );
}

/**
 * The run after an operator's action, or a `CANARY_CONFLICT` error when the phase does not allow
 * it. `restart` starts a new run (a new `runTag`), keeping the history.
 */
export function afterAction(
  record: CanaryRecord,
  action: CanaryAction,
  who: string,
  config: CanaryConfig,
  at: string,
  newRunTag: string,
): CanaryRecord {
  const { phase, step } = record;
  const refuse = (allowed: string): never => {
    throw new TracewayError("CANARY_CONFLICT", `cannot ${action} a canary that is ${phase}; ${allowed}`);
  };
  switch (action) {
    case "pause":
      if (phase !== "progressing") refuse("only a progressing canary can be paused");
      return transition(record, "paused", step, `paused by ${who}`, who, at, config);
    case "resume":
      if (phase !== "paused" && phase !== "halted") refuse("only a paused or halted canary can be resumed");
      return transition(
        { ...record, idleIntervals: 0 },
        "progressing",
        step,
        `resumed by ${who}`,
        who,
        at,
        config,
      );
    case "promote":
      if (!isAnalysing(phase)) refuse("restart it first");
      return transition(record, "promoted", step, `promoted by ${who}`, who, at, config);
    case "abort":
      if (phase === "rolled_back") refuse("it is already rolled back");
      return transition(record, "rolled_back", step, `aborted by ${who}`, who, at, config);
    case "restart": {
      const fresh = { ...record, runTag: newRunTag, failures: 0, idleIntervals: 0, startedAt: at };
      return transition(
        fresh,
        "progressing",
        0,
        `restarted by ${who} at ${config.steps[0]}%`,
        who,
        at,
        config,
      );
    }
  }
}

/** Moves the run to `to` at `step`, recording why and who. */
function transition(
  record: CanaryRecord,
  to: CanaryPhase,
  step: number,
  reason: string,
  by: string,
  at: string,
  config: CanaryConfig,
): CanaryRecord {
  const next = { ...record, phase: to, step, reason, updatedAt: at };
  const entry: TransitionView = {
    at,
    from: record.phase,
    to,
    step,
    share: shareOf(next, config.steps),
    reason,
    by,
  };
  return { ...next, transitions: [entry, ...record.transitions].slice(0, HISTORY_LENGTH) };
}
