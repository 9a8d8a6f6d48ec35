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
import { StepRunner, type StepRun } from "./step-runner.ts";
import { prometheusLines, stepRow, summaryLines, tableHeader } from "./step-table.ts";
import type { LoadPlan, LoadReport, PrometheusOptions } from "./types.ts";

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
  await checkInputs(plan, io);
  const run = await runSteps(plan, io);
  if (plan.prometheus !== undefined && run.steps.length > 0)
    await addPrometheusView(plan.prometheus, run, io);
  const report = buildReport(plan, run, startedAt);
  const lines = [
    ...(run.steps.length === 0 ? ["no step finished"] : []),
    ...prometheusLines(run.steps),
    "",
    ...summaryLines(plan.mode, run.steps, report.analysis),
  ];
  io.stdout.write(`${lines.join("\n")}\n`);
  writeReports(plan, report, io);
  const code =
    run.stoppedBy === "interrupt"
      ? EXIT_INTERRUPTED
      : report.analysis.thresholdsHeld
        ? EXIT_OK
        : EXIT_THRESHOLD_FAILED;
  return { code, report };
}

/** Before any load: the target answers (else LoadInputError) and Prometheus takes the matchers. */
async function checkInputs(plan: LoadPlan, io: LoadIo): Promise<void> {
  const status = await preflight(plan.request, plan.timeoutMs);
  if (status >= 400) {
    io.stderr.write(`note: the first answer was HTTP ${status}; check the URL if that is not expected\n`);
  }
  if (plan.prometheus !== undefined && (await checkPrometheus(plan.prometheus)) === 0) {
    const which = plan.prometheus.match === "" ? "" : ` for ${plan.prometheus.match}`;
    io.stderr.write(`note: Prometheus has no traceway request series${which} yet\n`);
  }
}

/** Warm-up and steps on a fresh generator, rows printed as steps end, Ctrl-C turned into a clean stop. */
async function runSteps(plan: LoadPlan, io: LoadIo): Promise<StepRun> {
  const generator = await LoadGenerator.start({
    workers: plan.workers,
    mode: plan.mode,
    request: plan.request,
    timeoutMs: plan.timeoutMs,
    expectStatus: plan.expectStatus,
    maxConnections: plan.maxConnections,
    snapshotMs: SNAPSHOT_MS,
  });
  const { prometheus } = plan;
  const runner = new StepRunner(plan, generator, {
    progress: new ProgressLine(io.stderr, plan.progressIntervalMs),
    onStep: (step) => {
      if (step.step === 1) io.stdout.write(`${tableHeader()}\n`);
      io.stdout.write(`${stepRow(step)}\n`);
    },
    afterWarmup: prometheus === undefined ? undefined : () => awaitWarmupScrape(prometheus, io),
  });
  const onInterrupt = (): void => {
    io.stderr.write(
      "\ninterrupted: finishing the requests in flight, then writing the report of the finished steps\n",
    );
    runner.interrupt();
  };
  io.signals?.once("SIGINT", onInterrupt);
  try {
    return await runner.run();
  } finally {
    io.signals?.off("SIGINT", onInterrupt);
    await generator.close();
  }
}

async function awaitWarmupScrape(options: PrometheusOptions, io: LoadIo): Promise<void> {
  io.stderr.write("waiting for Prometheus to scrape the warm-up...\n");
  if (!(await waitForScrape(options, Date.now()))) {
    io.stderr.write(
      "note: Prometheus did not scrape traceway after the warm-up; step 1's rows may count it\n",
    );
  }
}

async function addPrometheusView(options: PrometheusOptions, run: StepRun, io: LoadIo): Promise<void> {
  io.stderr.write("asking Prometheus for traceway's view of each step...\n");
  if (!(await waitForScrape(options, run.steps.at(-1)!.endedAt))) {
    io.stderr.write(
      "note: Prometheus has not scraped traceway since the last step ended; its rows may be short\n",
    );
  }
  await correlate(options, run.steps);
}

function writeReports(plan: LoadPlan, report: LoadReport, io: LoadIo): void {
  if (plan.reportJson !== undefined) {
    writeFileSync(plan.reportJson, renderJsonReport(report));
    io.stderr.write(`JSON report: ${plan.reportJson}\n`);
  }
  if (plan.reportHtml !== undefined) {
    writeFileSync(plan.reportHtml, renderHtmlReport(report));
    io.stderr.write(`HTML report: ${plan.reportHtml}\n`);
  }
}
