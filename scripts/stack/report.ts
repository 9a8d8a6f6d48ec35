/** What `up` prints: every URL, where each log is, and where Grafana runs. */
import { join, relative } from "node:path";
import { logFile } from "./processes.ts";
import { INFRA, infraUrls, servicesDir } from "./topology.ts";
import type { AppProcess, StackLayout } from "./topology.ts";

export function printReport(layout: StackLayout, apps: readonly AppProcess[], seconds: number): void {
  const rel = (path: string): string => relative(process.cwd(), path) || ".";
  const out: string[] = [
    `traceway stack up in ${seconds.toFixed(1)} s (state in ${rel(layout.dir)})`,
    "",
    "open:",
  ];
  const urls = [...apps.filter((a) => a.enabled).flatMap((a) => a.urls), ...infraUrls(layout.ports)];
  const width = Math.max(...urls.map((u) => u.label.length));
  for (const { label, url } of urls) out.push(`  ${label.padEnd(width)}  ${url}`);
  out.push("", "logs (JSON lines):");
  const logs = [
    ...apps.filter((a) => a.enabled).map((a) => ({ name: a.name, path: logFile(layout.dir, a.name) })),
    ...INFRA.map((name) => ({ name, path: join(servicesDir(layout.dir), name, `${name}.log`) })),
  ];
  const nameWidth = Math.max(...logs.map((l) => l.name.length));
  for (const { name, path } of logs) out.push(`  ${name.padEnd(nameWidth)}  ${rel(path)}`);
  out.push(
    "",
    "Grafana runs in docker-compose.yml (http://localhost:3000, dashboards provisioned); here, import",
    `dashboards/*.json into any Grafana with a Prometheus data source at http://127.0.0.1:${layout.ports.prometheus}.`,
    "Stop with: npm run stack -- down",
  );
  process.stdout.write(`${out.join("\n")}\n`);
}
