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
  const apps = appProcesses(layout, "gin-service", true);
  // Dependants first; the instances of one kind together (each drains on SIGTERM for up to a second
  // or so, and in turn that adds up).
  for (const kind of ["load", "traceway", "kafka-worker-", "gin-", "alert-webhook"]) {
    await Promise.all(
      apps
        .filter((a) => a.name.startsWith(kind))
        .map(async (app) => {
          const started = Date.now();
          const result = await stopProcess(layout.dir, app);
          process.stderr.write(
            `[stack] ${app.name}: ${result} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`,
          );
        }),
    );
  }
  const infra = await services(layout, "down", [...INFRA].reverse());
  if (infra.code !== 0) throw new Error("scripts/services.sh down failed (see above)");
}
