import { formatPath, type ConfigProblem } from "./format-problems.ts";

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * What a multi-worker instance cannot run yet (docs/workers.md#not-yet-with-workers): a canary
 * keeps its analysis and traffic share in the one balancer process that owns it, and N workers
 * would each run their own. Refused naming the key rather than half-working. `auto` counts as
 * several: on most machines it is. (The admin API runs in the primary, over the shared state; the
 * lag exporter in one worker; bridges in all of them, their consumers sharing the partitions.)
 */
export function checkWorkersSupport(file: Record<string, unknown>, problems: ConfigProblem[]): void {
  const server = isObject(file.server) ? file.server : undefined;
  const workers = server?.workers;
  if (!(workers === "auto" || (typeof workers === "number" && workers > 1))) return;
  const why = `is not supported yet with server.workers ${workers === "auto" ? "auto" : `${workers}`}`;
  const fix = "run it with server.workers: 1";
  if (!isObject(file.upstreams)) return;
  for (const [name, upstream] of Object.entries(file.upstreams)) {
    if (isObject(upstream) && upstream.canary !== undefined)
      problems.push({
        path: formatPath(["upstreams", name, "canary"]),
        message: `a canary ${why} (each worker would run its own analysis and share); ${fix}`,
      });
  }
}
