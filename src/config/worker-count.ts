import { availableParallelism } from "node:os";
import { fail, ok, show, type Parsed } from "./parsed.ts";

/** `server.workers` as written: a process count, or `auto` for one per available core. */
export type WorkerCount = number | "auto";

/**
 * A guard against a typo (`workers: 800` for `80`) forking hundreds of processes, each with its
 * own heap and connection pools; far above any core count traceway is run on. `auto` is not capped.
 */
export const MAX_WORKERS = 256;

export function parseWorkerCount(input: unknown): Parsed<WorkerCount> {
  if (input === "auto") return ok("auto");
  if (typeof input !== "number") return fail(`expected a number of processes or "auto", got ${show(input)}`);
  if (!Number.isInteger(input)) return fail(`must be a whole number, got ${show(input)}`);
  if (input < 1) return fail(`must be at least 1, got ${show(input)}`);
  if (input > MAX_WORKERS) return fail(`must be at most ${MAX_WORKERS}, got ${show(input)}`);
  return ok(input);
}

/**
 * How many processes serve traffic: `auto` is the cores this process may use
 * (`os.availableParallelism()`, which honours CPU affinity), as nginx's `worker_processes auto`.
 */
export function resolveWorkerCount(workers: WorkerCount, cores: () => number = availableParallelism): number {
  return workers === "auto" ? Math.max(1, cores()) : workers;
}
