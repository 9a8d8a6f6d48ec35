/**
 * `traceway load`, start to end: check the target answers, run the warm-up and the steps, ask
 * Prometheus for traceway's view of each step, print the summary, write the reports and return
 * the exit code (0 thresholds held, 1 broken, 130 Ctrl-C; bad input throws LoadInputError → 2).
 */
import { writeFileSync } from "node:fs";
import { checkPrometheus, correlate, waitForScrape } from "./correlate.ts";
import { LoadGenerator } from "./generator.ts";
import { EXIT_INTERRUPTED, EXIT_OK, EXIT_THRESHOLD_FAILED } from "./input-error.ts";
import { preflight } from "./preflight.ts";
import { ProgressLine, type ProgressStream } from "./progress.ts";
import { renderHtmlReport } from "./report-html.ts";
import { buildReport, renderJsonReport } from "./report-json.ts";
import { StepRunner } from "./step-runner.ts";
import { prometheusLines, stepRow, summaryLines, tableHeader } from "./step-table.ts";
import type { LoadPlan, LoadReport } from "./types.ts";

export interface LoadIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: ProgressStream;
  /** Where Ctrl-C comes from; the CLI passes `process`. */
  readonly signals?: {
    once(signal: "SIGINT", listener: () => void): unknown;
    off(signal: "SIGINT", listener: () => void): unknown;
  };
}

/** Worker snapshots come this often; the progress line shows at most one per snapshot. */
const SNAPSHOT_MS = 250;

export async function runLoad(plan: LoadPlan, io: LoadIo): Promise<{ code: number; report: LoadReport }> {
  const startedAt = new Date();
  const status = await preflight(plan.request, plan.timeoutMs);
  if (status >= 400)
    io.stderr.write(`note: the first answer was HTTP ${status}; check the URL if that is not expected\n`);
  if (plan.prometheus !== undefined && (await checkPrometheus(plan.prometheus)) === 0) {
    io.stderr.write(
      `note: Prometheus has no traceway request series${plan.prometheus.match === "" ? "" : ` for ${plan.prometheus.match}`} yet\n`,
    );
  }
  const generator = await LoadGenerator.start({
    workers: plan.workers,
    mode: plan.mode,
    request: plan.request,
    timeoutMs: plan.timeoutMs,
    expectStatus: plan.expectStatus,
    maxConnections: plan.maxConnections,
    snapshotMs: SNAPSHOT_MS,
  });
  const progress = new ProgressLine(io.stderr, plan.progressIntervalMs);
  let headerPrinted = false;
  const runner = new StepRunner(plan, generator, {
    progress,
    onStep: (step) => {
      if (!headerPrinted) io.stdout.write(`${tableHeader()}\n`);
      headerPrinted = true;
      io.stdout.write(`${stepRow(step)}\n`);
    },
  });
  const onInterrupt = (): void => {
    io.stderr.write(
      "\ninterrupted: finishing the requests in flight, then writing the report of the finished steps\n",
    );
    runner.interrupt();
  };
  io.signals?.once("SIGINT", onInterrupt);
  let run;
  try {
    run = await runner.run();
  } finally {
    io.signals?.off("SIGINT", onInterrupt);
    await generator.close();
  }
  if (plan.prometheus !== undefined && run.steps.length > 0) {
    io.stderr.write("asking Prometheus for traceway's view of each step...\n");
    const scraped = await waitForScrape(plan.prometheus, run.steps.at(-1)!.endedAt);
    if (!scraped)
      io.stderr.write(
        "note: Prometheus has not scraped traceway since the last step ended; its rows may be short\n",
      );
    await correlate(plan.prometheus, run.steps);
  }
  const report = buildReport(plan, run, startedAt);
  const lines = [
    ...(headerPrinted ? [] : ["no step finished"]),
    ...prometheusLines(run.steps),
    "",
    ...summaryLines(plan.mode, run.steps, report.analysis),
  ];
  io.stdout.write(`${lines.join("\n")}\n`);
  if (plan.reportJson !== undefined) {
    writeFileSync(plan.reportJson, renderJsonReport(report));
    io.stderr.write(`JSON report: ${plan.reportJson}\n`);
  }
  if (plan.reportHtml !== undefined) {
    writeFileSync(plan.reportHtml, renderHtmlReport(report));
    io.stderr.write(`HTML report: ${plan.reportHtml}\n`);
  }
  const code =
    run.stoppedBy === "interrupt"
      ? EXIT_INTERRUPTED
      : report.analysis.thresholdsHeld
        ? EXIT_OK
        : EXIT_THRESHOLD_FAILED;
  return { code, report };
}
