/**
 * Runs the plan's warm-up and steps on a {@link LoadGenerator}: live progress while each runs,
 * a summary row as each ends, and an early stop on Ctrl-C (or --abort-on-fail) that keeps every
 * step finished so far. A step cut short by Ctrl-C is dropped: its window was not the planned one.
 */
import { formatLevel } from "./format.ts";
import type { LoadGenerator, RawStep } from "./generator.ts";
import { LoadInputError } from "./input-error.ts";
import { describe, UNREACHABLE } from "./preflight.ts";
import type { ProgressLine } from "./progress.ts";
import { summariseStep } from "./step-summary.ts";
import type { LoadPlan, StepResult } from "./types.ts";

export interface StepRunnerIo {
  readonly progress: ProgressLine;
  /** A finished step, as soon as it is summarised (the caller prints its row). */
  onStep(step: StepResult): void;
  /**
   * Runs between the warm-up and the first step. With --prometheus it waits for a scrape that
   * holds the warm-up, so step 1's window starts at a scrape, like every later step's does.
   */
  readonly afterWarmup?: (() => Promise<void>) | undefined;
}

export interface StepRun {
  readonly steps: StepResult[];
  readonly stoppedBy: "interrupt" | "abort-on-fail" | undefined;
}

export class StepRunner {
  readonly #plan: LoadPlan;
  readonly #generator: LoadGenerator;
  readonly #io: StepRunnerIo;
  #interrupted = false;

  constructor(plan: LoadPlan, generator: LoadGenerator, io: StepRunnerIo) {
    this.#plan = plan;
    this.#generator = generator;
    this.#io = io;
  }

  /** Ctrl-C: ends the running step now and runs no further ones. */
  interrupt(): void {
    this.#interrupted = true;
    this.#generator.stop();
  }

  async run(): Promise<StepRun> {
    const plan = this.#plan;
    const steps: StepResult[] = [];
    if (plan.warmupMs > 0) {
      const raw = await this.#runOne(
        `warm-up (${formatLevel(plan.mode, plan.levels[0]!)})`,
        plan.levels[0]!,
        plan.warmupMs,
      );
      if (this.#interrupted) return { steps, stoppedBy: "interrupt" };
      refusedDuringWarmup(plan, raw);
      await this.#io.afterWarmup?.();
      if (this.#interrupted) return { steps, stoppedBy: "interrupt" };
    }
    for (const [index, level] of plan.levels.entries()) {
      const label = `step ${index + 1}/${plan.levels.length} (${formatLevel(plan.mode, level)})`;
      const raw = await this.#runOne(label, level, plan.stepDurationMs);
      if (this.#interrupted) return { steps, stoppedBy: "interrupt" };
      const step = summariseStep(plan, index + 1, raw);
      steps.push(step);
      this.#io.onStep(step);
      if (plan.abortOnFail && step.thresholds.some((t) => !t.held) && index < plan.levels.length - 1) {
        return { steps, stoppedBy: "abort-on-fail" };
      }
    }
    return { steps, stoppedBy: undefined };
  }

  async #runOne(label: string, level: number, durationMs: number): Promise<RawStep> {
    const { progress } = this.#io;
    progress.begin(label, durationMs);
    try {
      return await this.#generator.runStep(level, durationMs, (live) => progress.update(live));
    } finally {
      progress.end();
    }
  }
}

/** A warm-up in which nothing but "nobody there" errors happened is bad input, not a result. */
function refusedDuringWarmup(plan: LoadPlan, raw: RawStep): void {
  const { counts, errorKinds } = raw;
  if (counts.finished === 0 || counts.errors < counts.finished) return;
  const [kind] = [...errorKinds].sort(([, a], [, b]) => b - a)[0] ?? ["error"];
  if (UNREACHABLE.has(kind)) {
    throw new LoadInputError(
      `${plan.request.url} refused during the warm-up: ${describe(kind, plan.timeoutMs)}`,
    );
  }
}
