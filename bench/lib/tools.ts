import { spawnSync } from "node:child_process";

const REQUIRED = ["wrk", "nginx", "haproxy", "caddy"] as const;

/** The Debian tools the HTTP sections drive; a missing one is named with the script that installs it. */
export function missingTools(): string[] {
  return REQUIRED.filter((tool) => spawnSync("sh", ["-c", `command -v ${tool}`]).status !== 0);
}

/**
 * Installs the missing tools with scripts/bench-deps.sh (Debian packages, idempotent) and returns
 * what is still missing afterwards, so a fresh machine needs no separate set-up step.
 */
export function ensureTools(root: string, log: (line: string) => void): string[] {
  const missing = missingTools();
  if (missing.length === 0) return [];
  log(`installing ${missing.join(", ")} with scripts/bench-deps.sh`);
  const result = spawnSync("bash", [`${root}/scripts/bench-deps.sh`], { stdio: "inherit", timeout: 600_000 });
  if (result.status !== 0)
    log(`scripts/bench-deps.sh failed (${result.error?.message ?? `status ${result.status}`})`);
  return missingTools();
}
