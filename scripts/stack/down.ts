/** `npm run stack -- down`: stops what `up` started, newest first; what it did not start stays. */
import type { StackOptions } from "./options.ts";
import { stopProcess } from "./processes.ts";
import { services } from "./infra.ts";
import { appProcesses, INFRA } from "./topology.ts";
import type { StackLayout } from "./topology.ts";
import { readState } from "./state.ts";

export async function down(options: StackOptions): Promise<void> {
  const state = await readState(options.dir);
  const layout: StackLayout = { root: options.root, dir: options.dir, ports: state?.ports ?? options.ports };
  // The binary path does not matter for stopping: a process is known by its pid file and marker.
  const apps = appProcesses(layout, "gin-service", true).reverse();
  for (const app of apps) {
    const result = await stopProcess(layout.dir, app);
    process.stderr.write(`[stack] ${app.name}: ${result}\n`);
  }
  const infra = await services(layout, "down", [...INFRA].reverse());
  if (infra.code !== 0) throw new Error("scripts/services.sh down failed (see above)");
}
