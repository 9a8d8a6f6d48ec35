import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/**
 * Creates the work dir and removes the per-instance directories earlier runs generated: ports differ
 * every run, so they would otherwise pile up. The pid file stays for the stale-process cleanup.
 */
export function prepareWorkDir(workDir: string): void {
  mkdirSync(workDir, { recursive: true });
  for (const entry of readdirSync(workDir, { withFileTypes: true })) {
    if (entry.isDirectory() && /^(backend|traceway|nginx-proxy|haproxy)-\d+$/.test(entry.name)) {
      rmSync(join(workDir, entry.name), { recursive: true, force: true });
    }
  }
}
