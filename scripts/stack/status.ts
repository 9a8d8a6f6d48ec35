/** `npm run stack -- status`: one line per component; exit 0 when everything runs, 3 when not. */
import type { StackOptions } from "./options.ts";
import { livePid } from "./processes.ts";
import { services } from "./infra.ts";
import { appProcesses, INFRA } from "./topology.ts";
import type { StackLayout } from "./topology.ts";
import { readState } from "./state.ts";

export async function status(options: StackOptions): Promise<number> {
  const state = await readState(options.dir);
  const layout: StackLayout = { root: options.root, dir: options.dir, ports: state?.ports ?? options.ports };
  const infra = await services(layout, "status", INFRA);
  process.stdout.write(infra.stdout);
  let allUp = infra.code === 0 && !/^\S+\s+(down|starting)/m.test(infra.stdout);
  for (const app of appProcesses(layout, "gin-service", state?.load ?? options.load)) {
    const pid = await livePid(layout.dir, app);
    const where = app.urls[0]?.url ?? "";
    if (pid !== undefined) process.stdout.write(`${app.name.padEnd(15)} up   pid=${pid} ${where}\n`);
    else if (!app.enabled) process.stdout.write(`${app.name.padEnd(15)} off  (up --no-load)\n`);
    else {
      allUp = false;
      process.stdout.write(`${app.name.padEnd(15)} down ${where}\n`);
    }
  }
  return allUp ? 0 : 3;
}
