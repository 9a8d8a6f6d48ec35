/** Turns a step as measured (generator.ts) into its reported form: rates, latencies, thresholds, saturation. */
import { availableParallelism } from "node:os";
import type { RawStep } from "./generator.ts";
import { encodeHistogram, percentileMs, spectrum, summarise } from "./latency-histogram.ts";
import { generatorLoad } from "./saturation.ts";
import { evaluateThresholds } from "./thresholds.ts";
import type { LoadPlan, StepResult } from "./types.ts";

export function summariseStep(plan: LoadPlan, step: number, raw: RawStep): StepResult {
  const durationS = Math.max(0.001, (raw.endedAt - raw.startedAt) / 1000);
  const { counts, histogram } = raw;
  const latencyMs = summarise(histogram);
  const throughput = counts.completedInWindow / durationS;
  const sentRate = counts.sentInWindow / durationS;
  const targetRate = plan.mode === "rate" ? raw.level : undefined;
  const errorRate = counts.finished === 0 ? 0 : counts.errors / counts.finished;
  const thresholds = evaluateThresholds(plan.thresholds, {
    percentileMs: (p) => percentileMs(histogram, p),
    meanMs: latencyMs.mean,
    minMs: latencyMs.min,
    maxMs: latencyMs.max,
    errorRate,
    throughput,
  });
  return {
    step,
    mode: plan.mode,
    level: raw.level,
    startedAt: Math.round(raw.startedAt),
    endedAt: Math.round(raw.endedAt),
    durationS,
    requests: counts.started,
    throughput,
    sentRate,
    targetRate,
    errors: counts.errors,
    errorRate,
    statuses: Object.fromEntries([...raw.statuses].sort(([a], [b]) => a - b).map(([s, n]) => [String(s), n])),
    errorKinds: Object.fromEntries([...raw.errorKinds].sort(([, a], [, b]) => b - a)),
    latencyMs,
    percentiles: spectrum(histogram),
    generator: generatorLoad({
      mode: plan.mode,
      cores: availableParallelism(),
      workerCpu: raw.workerCpu,
      targetRate,
      sentRate,
      queued: counts.queued,
      maxConnections: plan.maxConnections,
    }),
    thresholds,
    histogram: encodeHistogram(histogram),
  };
}
