import type { CanaryAnalysisConfig } from "../config/types.ts";
import type { LatencySummary } from "../pool/latency-summary.ts";
import type { AnalysisCheck, AnalysisVerdict } from "./canary-view.ts";

/** One Prometheus metric's value for an interval: a number, or why there is none. */
export interface MetricReading {
  readonly name: string;
  readonly value: number | null;
  readonly min: number | undefined;
  readonly max: number | undefined;
  /** Why there is no value (a failed query, several series), when that is the case. */
  readonly error?: string;
}

/** The verdict on one interval and what decided it. */
export interface Judgement {
  readonly verdict: AnalysisVerdict;
  readonly checks: readonly AnalysisCheck[];
  readonly reason: string;
}

/**
 * Judges one interval of canary traffic. No data is never a pass: fewer than `minRequests`
 * requests, or a metric without a value, make no decision (`no_data`) unless another check failed
 * outright. A failed check fails the interval whatever else is missing.
 */
export function judge(
  summary: LatencySummary,
  metrics: readonly MetricReading[],
  config: CanaryAnalysisConfig,
): Judgement {
  const p99 = summary.quantile(0.99);
  const errorRate = summary.errorRate();
  const enough = summary.requests >= config.minRequests;
  const checks: AnalysisCheck[] = [
    {
      name: "p99",
      value: p99,
      max: config.maxP99Ms,
      ok: enough && p99 !== null ? p99 <= config.maxP99Ms : null,
    },
    {
      name: "error_rate",
      value: errorRate,
      max: config.maxErrorRate,
      ok: enough && errorRate !== null ? errorRate <= config.maxErrorRate : null,
    },
  ];
  for (const m of metrics) checks.push(metricCheck(m));
  if (!enough) {
    return {
      verdict: "no_data",
      checks,
      reason: `${summary.requests} requests < minRequests ${config.minRequests}`,
    };
  }
  const failed = checks.filter((c) => c.ok === false);
  if (failed.length > 0) return { verdict: "fail", checks, reason: failed.map(describe).join("; ") };
  const missing = checks.filter((c) => c.ok === null);
  if (missing.length > 0) {
    return {
      verdict: "no_data",
      checks,
      reason: missing.map((c) => `${c.name}: ${c.error ?? "no data"}`).join("; "),
    };
  }
  return { verdict: "pass", checks, reason: checks.map(describe).join("; ") };
}

function metricCheck(m: MetricReading): AnalysisCheck {
  const ok =
    m.value === null
      ? null
      : (m.min === undefined || m.value >= m.min) && (m.max === undefined || m.value <= m.max);
  return {
    name: m.name,
    value: m.value,
    ...(m.min === undefined ? {} : { min: m.min }),
    ...(m.max === undefined ? {} : { max: m.max }),
    ok,
    ...(m.error === undefined ? {} : { error: m.error }),
  };
}

/** `p99 2503ms > 2000ms`, `error_rate 2.10% <= 0.50%`, `latency 0.3 < min 0.5`. */
function describe(c: AnalysisCheck): string {
  const show = (v: number): string =>
    c.name === "p99"
      ? `${Math.round(v)}ms`
      : c.name === "error_rate"
        ? `${(v * 100).toFixed(2)}%`
        : String(v);
  const value = c.value === null ? "no data" : show(c.value);
  if (c.ok === false && c.min !== undefined && c.value !== null && c.value < c.min) {
    return `${c.name} ${value} < ${show(c.min)}`;
  }
  if (c.max !== undefined) return `${c.name} ${value} ${c.ok === false ? ">" : "<="} ${show(c.max)}`;
  if (c.min !== undefined) return `${c.name} ${value} >= ${show(c.min)}`;
  return `${c.name} ${value}`;
}
