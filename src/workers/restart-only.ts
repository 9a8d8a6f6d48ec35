import type { ConfigProblem } from "../config/format-problems.ts";
import type { TracewayConfig } from "../config/types.ts";
import { resolveWorkerCount } from "../config/worker-count.ts";

/**
 * The process count is fixed when the instance starts: a reload that changes it is refused whole,
 * naming the key, and the running configuration stays in force (nginx re-forks workers on reload;
 * here every worker holds connections, pools and state that a drain-and-refork would cost).
 * `auto` and the number it resolves to on this machine are the same setting.
 */
export function workersChange(running: TracewayConfig, next: TracewayConfig): ConfigProblem | undefined {
  const now = resolveWorkerCount(running.server.workers);
  const asked = resolveWorkerCount(next.server.workers);
  if (now === asked) return undefined;
  return {
    path: "server.workers",
    message: `changing the number of processes needs a restart (running ${now}, the file asks for ${asked}); nothing of this file was applied`,
  };
}
