import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ChildRegistry, ManagedChild } from "./children.ts";
import { WORK_DIR } from "./layout.ts";
import { backendConfig } from "./nginx-configs.ts";
import { freePort } from "./ports.ts";
import { lastLine } from "./target.ts";
import { waitForHttp200 } from "./wait-http.ts";

const START_TIMEOUT_MS = 10_000;

/** Writes `config` as `dir/nginx.conf` and runs nginx on it in the foreground, logging to stderr. */
export function spawnNginx(
  registry: ChildRegistry,
  label: string,
  dir: string,
  config: string,
): ManagedChild {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "nginx.conf"), config);
  return registry.spawn(label, "nginx", ["-p", dir, "-c", join(dir, "nginx.conf"), "-e", "stderr"]);
}

/** One nginx backend instance; separate instances so one can be killed in the failover run. */
export interface Backend {
  readonly port: number;
  child: ManagedChild;
}

/** Starts (or restarts, on the same port) one nginx backend and waits until it serves. */
export async function startBackend(
  registry: ChildRegistry,
  port: number,
  wwwDir: string,
): Promise<ManagedChild> {
  const dir = join(WORK_DIR, `backend-${port}`);
  const child = spawnNginx(registry, `backend ${port}`, dir, backendConfig(dir, port, wwwDir));
  const failure = await waitForHttp200(`http://127.0.0.1:${port}/small`, START_TIMEOUT_MS, () => {
    const reason = child.exitReason();
    return reason === undefined ? undefined : `${reason}: ${lastLine(child.stderrTail())}`;
  });
  if (failure !== undefined) {
    await registry.stop(child);
    throw new Error(`nginx backend on port ${port} did not start: ${failure}`);
  }
  return child;
}

export async function startBackends(
  registry: ChildRegistry,
  count: number,
  wwwDir: string,
): Promise<Backend[]> {
  const backends: Backend[] = [];
  for (let i = 0; i < count; i++) {
    const port = await freePort();
    backends.push({ port, child: await startBackend(registry, port, wwwDir) });
  }
  return backends;
}
