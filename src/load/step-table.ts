/**
 * The plain-text report on stdout: a header, one row per step as it finishes, then the knee, the
 * thresholds, generator saturation and, with --prometheus, traceway's own per-backend view.
 */
import { formatCount, formatLevel, formatMs, formatPercent, formatRate } from "./format.ts";
import type { Analysis, LoadMode, StepResult, ThresholdUnit } from "./types.ts";

const COLUMNS = [
  ["step", 4],
  ["load", 14],
  ["req/s", 10],
  ["p50", 9],
  ["p90", 9],
  ["p99", 9],
  ["max", 9],
  ["errors", 16],
  ["gen cpu", 7],
] as const;

function row(cells: readonly string[]): string {
  return cells
    .map((cell, i) => (i === 0 ? cell.padEnd(COLUMNS[0][1]) : cell.padStart(COLUMNS[i]?.[1] ?? 0)))
    .join("  ")
    .trimEnd();
}

export function tableHeader(): string {
  return `${row(COLUMNS.map(([name]) => name))}  notes`;
}

export function stepRow(step: StepResult): string {
  const notes = [
    ...step.thresholds.filter((t) => !t.held).map((t) => `✗ ${t.expression}`),
    ...(step.generator.saturated ? ["generator-limited"] : []),
  ];
  const cells = [
    String(step.step),
    formatLevel(step.mode, step.level),
    formatRate(step.throughput),
    formatMs(step.latencyMs.p50),
    formatMs(step.latencyMs.p90),
    formatMs(step.latencyMs.p99),
    formatMs(step.latencyMs.max),
    `${formatCount(step.errors)} (${formatPercent(step.errorRate)})`,
    `${Math.round(step.generator.maxWorkerCpu * 100)}%`,
  ];
  return notes.length === 0 ? row(cells) : `${row(cells)}  ${notes.join(", ")}`;
}

export function summaryLines(mode: LoadMode, steps: readonly StepResult[], analysis: Analysis): string[] {
  const lines: string[] = [];
  const knee = steps.find((s) => s.step === analysis.knee);
  if (knee === undefined) lines.push(`knee: none (${analysis.kneeReason})`);
  else {
    const at = `step ${knee.step} (${formatLevel(mode, knee.level)}): ${formatRate(knee.throughput)} req/s at p99 ${formatMs(knee.latencyMs.p99)}`;
    lines.push(
      analysis.kneeReached
        ? `knee: ${at}; ${analysis.kneeReason}`
        : `knee: not reached; ${analysis.kneeReason} (last: ${at})`,
    );
  }
  const broken = analysis.firstThresholdBreak;
  if (steps[0]?.thresholds.length === 0) lines.push("thresholds: none given");
  else if (broken === undefined) lines.push(`thresholds: all held at every step`);
  else {
    const step = steps.find((s) => s.step === broken.step)!;
    const detail = step.thresholds
      .filter((t) => !t.held)
      .map((t) => `${t.expression} (was ${formatActual(t.unit, t.actual)})`)
      .join(", ");
    lines.push(`thresholds: first broken at step ${broken.step}: ${detail}`);
  }
  for (const step of steps.filter((s) => s.errors > 0)) {
    const kinds = Object.entries(step.errorKinds)
      .slice(0, 5)
      .map(([kind, n]) => `${kind} ×${formatCount(n)}`);
    lines.push(`errors: step ${step.step}: ${kinds.join(", ")}`);
  }
  for (const step of steps.filter((s) => s.generator.saturated)) {
    lines.push(
      `generator: limited step ${step.step}: ${step.generator.reasons.join("; ")}; its numbers understate the target`,
    );
  }
  return lines;
}

function formatActual(unit: ThresholdUnit, actual: number): string {
  if (unit === "ratio") return formatPercent(actual);
  if (unit === "req/s") return `${formatRate(actual)} req/s`;
  return formatMs(actual);
}

/** traceway's view per step and backend, or nothing when no step has Prometheus data. */
export function prometheusLines(steps: readonly StepResult[]): string[] {
  const withData = steps.filter((s) => s.prometheus !== undefined);
  if (withData.length === 0) return [];
  const widths = [4, 12, 22, 9, 7, 9, 7, 9];
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i < 3 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join("  ")
      .trimEnd();
  const lines = [
    "",
    "traceway's view (Prometheus, same windows):",
    line(["step", "upstream", "backend", "requests", "errors", "p99", "retries", "ejections"]),
  ];
  for (const step of withData) {
    const p = step.prometheus!;
    for (const b of p.backends) {
      lines.push(
        line([
          String(step.step),
          b.upstream,
          b.backend,
          formatCount(b.requests),
          formatCount(b.errors),
          b.p99Ms === undefined ? "-" : formatMs(b.p99Ms),
          formatCount(b.retries),
          formatCount(b.ejections),
        ]),
      );
    }
    if (p.backends.length === 0) lines.push(line([String(step.step), "(no traceway series in this window)"]));
    for (const error of p.errors) lines.push(`${String(step.step).padEnd(4)}  query failed: ${error}`);
  }
  return lines;
}
