/** The run as one JSON document ({@link LoadReport}): everything the HTML shows, plus each step's HDR histogram. */
import { analyse } from "./knee.ts";
import type { StepRun } from "./step-runner.ts";
import type { LoadPlan, LoadReport } from "./types.ts";

export function buildReport(plan: LoadPlan, run: StepRun, startedAt: Date): LoadReport {
  return {
    tool: "traceway load",
    version: 1,
    url: plan.request.url,
    method: plan.request.method,
    mode: plan.mode,
    levels: plan.levels,
    stepDurationS: plan.stepDurationMs / 1000,
    warmupS: plan.warmupMs / 1000,
    workers: plan.workers,
    thresholds: plan.thresholds.map((t) => t.expression),
    prometheus: plan.prometheus?.url,
    startedAt: startedAt.toISOString(),
    interrupted: run.stoppedBy !== undefined,
    stoppedBy: run.stoppedBy,
    steps: run.steps,
    analysis: analyse(run.steps),
  };
}

export function renderJsonReport(report: LoadReport): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
