/**
 * The stack's Kafka, etcd, Jaeger, Prometheus and Alertmanager, run by the project's own service
 * scripts (scripts/services.sh, which hands Jaeger to scripts/jaeger.sh) in the stack's folder and on
 * the stack's ports, so they never touch the services the tests share.
 */
import { spawn } from "node:child_process";
import { copyFile, readFile } from "node:fs/promises";
import { join } from "node:path";
import { configDir, infraEnv, servicesDir } from "./topology.ts";
import type { InfraName, StackLayout } from "./topology.ts";

/** Runs `scripts/services.sh <action> <names>`; its progress lines go to our stderr. */
export function services(
  layout: StackLayout,
  action: "up" | "down" | "status",
  names: readonly InfraName[],
): Promise<{ code: number; stdout: string }> {
  const child = spawn("bash", [join(layout.root, "scripts", "services.sh"), action, ...names], {
    cwd: layout.root,
    env: { ...process.env, ...infraEnv(layout) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let stdout = "";
  child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => resolve({ code: code ?? 1, stdout }));
  });
}

async function same(a: string, b: string): Promise<boolean> {
  try {
    return (await readFile(a, "utf8")) === (await readFile(b, "utf8"));
  } catch {
    return false;
  }
}

/**
 * `up` on a running stack applies a changed config: the service scripts copy the config only when
 * they start a server, so a newer one is copied here and the server told to reload (rule files are
 * re-read on every reload, so Prometheus always reloads).
 */
export async function reloadConfigs(layout: StackLayout): Promise<void> {
  const { ports } = layout;
  const targets = [
    { name: "prometheus", url: `http://127.0.0.1:${ports.prometheus}/-/reload`, always: true },
    { name: "alertmanager", url: `http://127.0.0.1:${ports.alertmanager}/-/reload`, always: false },
  ];
  for (const { name, url, always } of targets) {
    const generated = join(configDir(layout.dir), `${name}.yml`);
    const running = join(servicesDir(layout.dir), name, `${name}.yml`);
    if (!always && (await same(generated, running))) continue;
    await copyFile(generated, running);
    const response = await fetch(url, { method: "POST", signal: AbortSignal.timeout(10_000) });
    if (!response.ok)
      throw new Error(`${name}: reload answered ${response.status}: ${await response.text()}`);
  }
}
