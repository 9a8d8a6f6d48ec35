/**
 * Knee and threshold analysis over the finished steps. The knee is where adding load stops paying:
 * the last step of the opening run of steps in which throughput still rose by at least
 * {@link KNEE_MIN_GAIN} over the step before while p99 stayed within {@link KNEE_MAX_P99_FACTOR} of
 * the first step's. Past it, more load buys queueing, not throughput.
 */
import type { Analysis, StepResult } from "./types.ts";

export const KNEE_MIN_GAIN = 0.1;
export const KNEE_MAX_P99_FACTOR = 2;

type KneeStep = Pick<StepResult, "step" | "throughput" | "latencyMs">;

export function findKnee(steps: readonly KneeStep[]): Pick<Analysis, "knee" | "kneeReached" | "kneeReason"> {
  const first = steps[0];
  if (first === undefined) return { knee: undefined, kneeReached: false, kneeReason: "no step finished" };
  const p99Limit = first.latencyMs.p99 * KNEE_MAX_P99_FACTOR;
  for (let i = 1; i < steps.length; i++) {
    const previous = steps[i - 1]!;
    const step = steps[i]!;
    const gain = previous.throughput > 0 ? step.throughput / previous.throughput - 1 : Infinity;
    if (gain < KNEE_MIN_GAIN) {
      return {
        knee: previous.step,
        kneeReached: true,
        kneeReason: `step ${step.step} raised throughput by ${signedPct(gain)} (< ${pct(KNEE_MIN_GAIN)})`,
      };
    }
    if (step.latencyMs.p99 > p99Limit) {
      return {
        knee: previous.step,
        kneeReached: true,
        kneeReason: `step ${step.step}'s p99 ${ms(step.latencyMs.p99)} exceeded ${KNEE_MAX_P99_FACTOR}× step ${first.step}'s ${ms(first.latencyMs.p99)}`,
      };
    }
  }
  const last = steps.at(-1)!;
  return {
    knee: last.step,
    kneeReached: false,
    kneeReason:
      steps.length === 1
        ? "one step cannot show a knee; give --steps or --rates more levels"
        : "throughput still rose at the last step: the knee lies beyond the levels tried",
  };
}

export function analyse(steps: readonly StepResult[]): Analysis {
  const broken = steps.find((s) => s.thresholds.some((t) => !t.held));
  return {
    ...findKnee(steps),
    firstThresholdBreak:
      broken === undefined
        ? undefined
        : {
            step: broken.step,
            expressions: broken.thresholds.filter((t) => !t.held).map((t) => t.expression),
          },
    thresholdsHeld: broken === undefined,
    saturatedSteps: steps.filter((s) => s.generator.saturated).map((s) => s.step),
  };
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}

function signedPct(fraction: number): string {
  return `${fraction >= 0 ? "+" : ""}${(fraction * 100).toFixed(1)}%`;
}

function ms(value: number): string {
  return `${value.toFixed(value < 10 ? 2 : 1)} ms`;
}
