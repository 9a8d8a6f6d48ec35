/**
 * k6-style thresholds (`p99<2s`, `p(95)<500`, `errors<0.5%`, `rps>1000`), checked against every
 * step. As in k6, a latency without a unit is milliseconds and `p(N)` names a percentile; `med`
 * and `avg` are accepted for p50 and mean.
 */
import { closest } from "../config/closest.ts";
import type {
  ThresholdUnit,
  Threshold,
  ThresholdMetric,
  ThresholdOperator,
  ThresholdOutcome,
} from "./types.ts";

const EXPRESSION = /^\s*([A-Za-z_][\w().]*)\s*(<=|>=|<|>)\s*(\S+)\s*$/;
const PERCENTILE = /^(?:p\((\d+(?:\.\d+)?)\)|p(\d+(?:\.\d+)?))$/;
const LATENCY_VALUE = /^(\d+(?:\.\d+)?)(us|µs|ms|s|m)?$/;
const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, µs: 0.001, ms: 1, s: 1000, m: 60_000 };
const NAMED: Readonly<Record<string, ThresholdMetric>> = {
  med: { kind: "percentile", percentile: 50 },
  avg: { kind: "mean" },
  mean: { kind: "mean" },
  min: { kind: "min" },
  max: { kind: "max" },
  errors: { kind: "errors" },
  rps: { kind: "rps" },
};
const KNOWN = [
  "p50",
  "p90",
  "p95",
  "p99",
  "p99.9",
  "p(N)",
  "med",
  "mean",
  "avg",
  "min",
  "max",
  "errors",
  "rps",
];

/** Parses one `--threshold`; throws an Error whose message names the expression and the problem. */
export function parseThreshold(expression: string): Threshold {
  const fail = (problem: string): never => {
    throw new Error(`bad threshold ${JSON.stringify(expression)}: ${problem}`);
  };
  const match = EXPRESSION.exec(expression);
  if (match === null) {
    return /[<>]/.test(expression)
      ? fail("expected <metric><op><value>, e.g. p99<2s, errors<0.5%, rps>1000")
      : fail("no comparison; use <, <=, > or >= as in p99<2s");
  }
  const [, name = "", op = "", raw = ""] = match;
  const metric = metricNamed(name, fail) ?? fail(unknownMetric(name));
  const value =
    metric.kind === "errors"
      ? errorValue(raw, fail)
      : metric.kind === "rps"
        ? rpsValue(raw, fail)
        : latencyValue(raw, fail);
  return { expression: expression.trim(), metric, operator: op as ThresholdOperator, value };
}

function metricNamed(name: string, fail: (problem: string) => never): ThresholdMetric | undefined {
  const named = NAMED[name.toLowerCase()];
  if (named !== undefined) return named;
  const p = PERCENTILE.exec(name.toLowerCase());
  if (p === null) return undefined;
  const percentile = Number(p[1] ?? p[2]);
  if (percentile <= 0 || percentile > 100) return fail(`percentile ${percentile} is outside 0 < p ≤ 100`);
  return { kind: "percentile", percentile };
}

function unknownMetric(name: string): string {
  const guess = closest(name, KNOWN);
  const hint = guess === undefined ? "" : ` (did you mean ${guess}?)`;
  return `unknown metric ${JSON.stringify(name)}${hint}; known: ${KNOWN.join(", ")}`;
}

function latencyValue(raw: string, fail: (problem: string) => never): number {
  const m = LATENCY_VALUE.exec(raw);
  if (m === null) return fail(`${JSON.stringify(raw)} is not a duration; write e.g. 500ms, 2s or 250us`);
  return Number(m[1]) * (UNIT_MS[m[2] ?? "ms"] ?? 1);
}

function errorValue(raw: string, fail: (problem: string) => never): number {
  const percent = raw.endsWith("%");
  const text = percent ? raw.slice(0, -1) : raw;
  if (!/^\d+(?:\.\d+)?$/.test(text))
    return fail(`${JSON.stringify(raw)} is not a rate; write e.g. 0.5% or 0.005`);
  const value = percent ? Number(text) / 100 : Number(text);
  if (value > 1)
    return fail(`${JSON.stringify(raw)} is above 100%; write a percentage (0.5%) or a fraction (0.005)`);
  return value;
}

function rpsValue(raw: string, fail: (problem: string) => never): number {
  const text = raw.endsWith("/s") ? raw.slice(0, -2) : raw;
  if (!/^\d+(?:\.\d+)?$/.test(text))
    return fail(`${JSON.stringify(raw)} is not a request rate; write e.g. 1000`);
  return Number(text);
}

/** What thresholds are checked against: one step's numbers, percentiles read from its histogram. */
export interface StepValues {
  percentileMs(percentile: number): number;
  readonly meanMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly errorRate: number;
  readonly throughput: number;
}

/** The step's value of the metric, in the threshold's unit. */
export function metricValue(metric: ThresholdMetric, step: StepValues): number {
  switch (metric.kind) {
    case "percentile":
      return step.percentileMs(metric.percentile);
    case "mean":
      return step.meanMs;
    case "min":
      return step.minMs;
    case "max":
      return step.maxMs;
    case "errors":
      return step.errorRate;
    case "rps":
      return step.throughput;
  }
}

export function holds(operator: ThresholdOperator, actual: number, limit: number): boolean {
  switch (operator) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
  }
}

export function evaluateThresholds(thresholds: readonly Threshold[], step: StepValues): ThresholdOutcome[] {
  return thresholds.map((t) => {
    const actual = metricValue(t.metric, step);
    return {
      expression: t.expression,
      held: holds(t.operator, actual, t.value),
      actual,
      unit: unitOf(t.metric),
    };
  });
}

export function unitOf(metric: ThresholdMetric): ThresholdUnit {
  return metric.kind === "errors" ? "ratio" : metric.kind === "rps" ? "req/s" : "ms";
}
