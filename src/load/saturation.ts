/**
 * Was the generator itself the limit of a step? Either its threads ran out of CPU (then the target
 * was not loaded as asked, and latency includes the generator's own queueing), or in the open model
 * it could not write requests at the scheduled rate (CPU, or every allowed connection was busy).
 */
import type { GeneratorLoad, LoadMode } from "./types.ts";

/** A worker thread this busy cannot keep up with its share. */
export const CPU_SATURATED = 0.9;
/** The open model's sent rate must reach this share of the target. */
export const RATE_SHORTFALL = 0.95;

export interface SaturationInput {
  readonly mode: LoadMode;
  readonly cores: number;
  readonly workerCpu: ReadonlyArray<{ readonly cpuMs: number; readonly wallMs: number }>;
  readonly targetRate: number | undefined;
  readonly sentRate: number;
  /** Open model: requests that waited for a free connection. */
  readonly queued: number;
  readonly maxConnections: number;
}

export function generatorLoad(input: SaturationInput): GeneratorLoad {
  const workers = input.workerCpu.length;
  const totalCpu = input.workerCpu.reduce((sum, w) => sum + w.cpuMs, 0);
  const wall = Math.max(1, ...input.workerCpu.map((w) => w.wallMs));
  const usable = Math.max(1, Math.min(workers, input.cores));
  const cpuPerCore = totalCpu / wall / usable;
  const maxWorkerCpu = Math.max(0, ...input.workerCpu.map((w) => w.cpuMs / Math.max(1, w.wallMs)));
  const reasons: string[] = [];
  if (cpuPerCore >= CPU_SATURATED || maxWorkerCpu >= CPU_SATURATED) {
    reasons.push(`generator CPU at ${pct(Math.max(cpuPerCore, maxWorkerCpu))} of a core per worker`);
  }
  if (
    input.mode === "rate" &&
    input.targetRate !== undefined &&
    input.sentRate < RATE_SHORTFALL * input.targetRate
  ) {
    const why =
      input.queued > 0
        ? `all ${input.maxConnections} connections were busy (raise --connections)`
        : "the generator fell behind its schedule";
    reasons.push(`sent ${pct(input.sentRate / input.targetRate)} of the target rate: ${why}`);
  }
  return { workers, cpuPerCore, maxWorkerCpu, saturated: reasons.length > 0, reasons };
}

function pct(fraction: number): string {
  return `${Math.round(fraction * 100)}%`;
}
