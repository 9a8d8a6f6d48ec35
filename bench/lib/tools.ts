import { spawnSync } from "node:child_process";

const REQUIRED = ["wrk", "nginx", "haproxy"] as const;

/** The Debian tools the HTTP sections drive; a missing one is named with the script that installs it. */
export function missingTools(): string[] {
  return REQUIRED.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
}
