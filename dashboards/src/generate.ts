/**
 * `npm run dashboards`: writes dashboards/*.json from the specs in this folder. The JSON is committed
 * (Grafana's provisioning reads it, docker-compose.yml mounts it); test/unit/dashboards checks that it
 * is current, and the stack test that every query of it returns data.
 */
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { dashboard } from "./grafana.ts";
import type { DashboardSpec } from "./grafana.ts";
import { kafka } from "./kafka.ts";
import { overview } from "./overview.ts";
import { runtime } from "./runtime.ts";
import { services } from "./services.ts";

/** File name under dashboards/ → spec. */
export const DASHBOARDS: Readonly<Record<string, DashboardSpec>> = {
  "traceway-overview.json": overview,
  "traceway-kafka.json": kafka,
  "traceway-services.json": services,
  "traceway-runtime.json": runtime,
};

export function render(spec: DashboardSpec): string {
  return `${JSON.stringify(dashboard(spec), null, 2)}\n`;
}

if (import.meta.main) {
  const dir = join(import.meta.dirname, "..");
  for (const [file, spec] of Object.entries(DASHBOARDS)) {
    await writeFile(join(dir, file), render(spec));
    process.stdout.write(`wrote dashboards/${file}\n`);
  }
}
