/**
 * The HTML report's charts, as data: one chart per metric against the steps (throughput,
 * latency percentiles, error rate, generator CPU), the latency percentile spectrum of every step,
 * and per-backend charts from Prometheus when the run had them. The knee and the first threshold
 * break are marked on every per-step chart.
 */
import { formatLevel } from "./format.ts";
import type { ChartSpec } from "./report-charts.ts";
import type { LoadReport, StepResult } from "./types.ts";

const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#17becf",
  "#7f7f7f",
  "#bcbd22",
];
const KNEE_COLOR = "#2ca02c";
const BREAK_COLOR = "#d62728";

const color = (i: number): string => PALETTE[i % PALETTE.length]!;

export function chartSpecs(report: LoadReport): ChartSpec[] {
  const steps = report.steps;
  if (steps.length === 0) return [];
  const x = steps.map((s) => s.step);
  const xLabels = steps.map((s) => formatLevel(s.mode, s.level));
  const marks = [
    ...(report.analysis.knee === undefined
      ? []
      : [
          {
            x: report.analysis.knee,
            label: report.analysis.kneeReached ? "knee" : "knee?",
            color: KNEE_COLOR,
          },
        ]),
    ...(report.analysis.firstThresholdBreak === undefined
      ? []
      : [{ x: report.analysis.firstThresholdBreak.step, label: "threshold broken", color: BREAK_COLOR }]),
  ];
  const perStep = (
    id: string,
    title: string,
    unit: string,
    logY: boolean,
    series: ChartSpec["series"],
  ): ChartSpec => ({
    id,
    title,
    unit,
    logY,
    xKind: "step",
    x,
    xLabels,
    series,
    marks,
  });
  const line = (label: string, i: number, value: (s: StepResult) => number | null) => ({
    label,
    color: color(i),
    values: steps.map(value),
  });
  const specs: ChartSpec[] = [
    perStep("throughput", "Throughput per step", "req/s", false, [
      line("responses/s", 0, (s) => s.throughput),
      ...(report.mode === "rate"
        ? [line("target", 1, (s) => s.targetRate ?? null), line("sent/s", 2, (s) => s.sentRate)]
        : []),
    ]),
    perStep("latency", "Latency percentiles per step", "ms", true, [
      line("p50", 0, (s) => s.latencyMs.p50),
      line("p90", 1, (s) => s.latencyMs.p90),
      line("p99", 2, (s) => s.latencyMs.p99),
      line("p99.9", 3, (s) => s.latencyMs.p999),
      line("max", 4, (s) => s.latencyMs.max),
    ]),
    perStep("errors", "Error rate per step", "%", false, [line("errors", 1, (s) => s.errorRate * 100)]),
    perStep("generator", "Generator CPU per step", "% of a core per worker", false, [
      line("average", 0, (s) => s.generator.cpuPerCore * 100),
      line("busiest worker", 1, (s) => s.generator.maxWorkerCpu * 100),
    ]),
    spectrumChart(steps),
  ];
  return [...specs, ...backendCharts(steps, perStep)];
}

/** Latency by percentile for every step, the HdrHistogram plot: x in "nines" (90% → 1, 99% → 2). */
function spectrumChart(steps: readonly StepResult[]): ChartSpec {
  const points = steps[0]!.percentiles.filter(([p]) => p < 100);
  const x = points.map(([p]) => -Math.log10(1 - p / 100));
  return {
    id: "spectrum",
    title: "Latency by percentile, per step",
    unit: "ms",
    logY: true,
    xKind: "nines",
    x,
    xLabels: [],
    series: steps.map((s, i) => ({
      label: `step ${s.step} (${formatLevel(s.mode, s.level)})`,
      color: color(i),
      values: s.percentiles.filter(([p]) => p < 100).map(([, ms]) => ms),
    })),
    marks: [],
  };
}

type PerStep = (
  id: string,
  title: string,
  unit: string,
  logY: boolean,
  series: ChartSpec["series"],
) => ChartSpec;

function backendCharts(steps: readonly StepResult[], perStep: PerStep): ChartSpec[] {
  if (!steps.some((s) => (s.prometheus?.backends.length ?? 0) > 0)) return [];
  const keys = [
    ...new Set(steps.flatMap((s) => (s.prometheus?.backends ?? []).map((b) => `${b.upstream}/${b.backend}`))),
  ].sort();
  const series = (
    pick: (b: NonNullable<StepResult["prometheus"]>["backends"][number], s: StepResult) => number | undefined,
  ) =>
    keys.map((key, i) => ({
      label: key,
      color: color(i),
      values: steps.map((s) => {
        const b = s.prometheus?.backends.find((r) => `${r.upstream}/${r.backend}` === key);
        return b === undefined ? null : (pick(b, s) ?? null);
      }),
    }));
  return [
    perStep(
      "backend-requests",
      "traceway: requests per backend",
      "req/s",
      false,
      series((b, s) => b.requests / s.durationS),
    ),
    perStep(
      "backend-p99",
      "traceway: upstream p99 per backend",
      "ms",
      true,
      series((b) => b.p99Ms),
    ),
    perStep(
      "backend-errors",
      "traceway: upstream errors per backend",
      "errors",
      false,
      series((b) => b.errors),
    ),
    perStep(
      "backend-retries",
      "traceway: retries per backend",
      "retries",
      false,
      series((b) => b.retries),
    ),
    perStep(
      "backend-ejections",
      "traceway: ejections per backend",
      "ejections",
      false,
      series((b) => b.ejections),
    ),
  ];
}
