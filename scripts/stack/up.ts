/**
 * `npm run stack -- up`: brings up whatever of the example system is not running yet, in dependency
 * order, waits until each part answers, and prints where everything is. Running it again on a running
 * stack starts only what is missing and applies changed Prometheus/Alertmanager configs.
 */
import { execFile } from "node:child_process";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { setTimeout as sleep } from "node:timers/promises";
import { writeConfigs } from "./configs.ts";
import { reloadConfigs, services } from "./infra.ts";
import type { StackOptions } from "./options.ts";
import { livePid, logFile, logTail, startDetached, stopProcess } from "./processes.ts";
import { printReport } from "./report.ts";
import { appProcesses, dataDir, INFRA, logsDir, runDir } from "./topology.ts";
import type { AppProcess, StackLayout } from "./topology.ts";
import { readState, stateFile } from "./state.ts";

const run = promisify(execFile);
const READY_MS = 90_000;

const log = (line: string): void => void process.stderr.write(`[stack] ${line}\n`);

/** A Go new enough for the Gin service (and Jaeger's build) on a fresh machine, then the binary. */
async function ginBinary(root: string): Promise<string> {
  await run("bash", [join(root, "scripts", "gin-service.sh"), "ensure-go"], {
    cwd: root,
    timeout: 1_500_000,
  });
  const { stdout } = await run("bash", [join(root, "scripts", "gin-service.sh"), "build"], {
    cwd: root,
    timeout: 1_500_000,
    maxBuffer: 4 * 1024 * 1024,
  });
  return stdout.trim().split("\n").at(-1) ?? "";
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Polls until `check` holds; fails with the log's tail when the process dies or the deadline passes. */
async function waitReady(
  layout: StackLayout,
  app: AppProcess,
  what: string,
  check: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + READY_MS;
  for (;;) {
    if (await check()) return;
    if ((await livePid(layout.dir, app)) === undefined) {
      throw new Error(
        `${app.name} exited before ${what}; ${logFile(layout.dir, app.name)}:\n${await logTail(logFile(layout.dir, app.name))}`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${app.name}: no ${what} after ${READY_MS / 1000} s; ${logFile(layout.dir, app.name)}:\n${await logTail(logFile(layout.dir, app.name))}`,
      );
    }
    await sleep(250);
  }
}

async function ensureApp(layout: StackLayout, app: AppProcess): Promise<void> {
  const pid = await livePid(layout.dir, app);
  if (!app.enabled) {
    if (pid !== undefined) log(`${app.name}: switched off, ${await stopProcess(layout.dir, app)}`);
    return;
  }
  if (pid === undefined)
    log(`${app.name}: started (pid ${await startDetached(layout.dir, layout.root, app)})`);
  else log(`${app.name}: already running (pid ${pid})`);
  const { readyUrl } = app;
  if (readyUrl !== undefined)
    await waitReady(layout, app, `answer from ${readyUrl}`, () => answers(readyUrl));
  if (app.name === "traceway") {
    // Ready for users means routed: etcd discovery has found an instance that passes its health check.
    const probe = `${app.urls[0]?.url ?? ""}/api/items?limit=1`;
    await waitReady(layout, app, `200 from ${probe} (a Gin instance discovered)`, () => answers(probe));
  }
}

/** Refuses to start a second stack on other ports over a running one in the same folder. */
async function checkState(options: StackOptions, layout: StackLayout, apps: AppProcess[]): Promise<void> {
  const state = await readState(options.dir);
  if (state === undefined || JSON.stringify(state.ports) === JSON.stringify(options.ports)) return;
  for (const app of apps) {
    if ((await livePid(options.dir, app)) !== undefined) {
      throw new Error(
        `a stack runs in ${layout.dir} with other ports (${stateFile(layout.dir)}); run \`npm run stack -- down\` first`,
      );
    }
  }
}

export async function up(options: StackOptions): Promise<void> {
  const started = Date.now();
  const layout: StackLayout = { root: options.root, dir: options.dir, ports: options.ports };
  for (const dir of [logsDir(layout.dir), runDir(layout.dir), dataDir(layout.dir)])
    await mkdir(dir, { recursive: true });
  const gin = await ginBinary(layout.root);
  const apps = appProcesses(layout, gin, options.load);
  await checkState(options, layout, apps);
  await writeFile(
    stateFile(layout.dir),
    `${JSON.stringify({ ports: options.ports, load: options.load }, null, 2)}\n`,
  );
  await writeConfigs(layout, options.webhooks);
  const infra = await services(layout, "up", INFRA);
  if (infra.code !== 0) throw new Error(`scripts/services.sh up ${INFRA.join(" ")} failed (see above)`);
  await reloadConfigs(layout);
  // Instances of one kind start together; each kind waits for the one it depends on.
  for (const kind of ["alert-webhook", "gin-", "kafka-worker-", "traceway", "load"]) {
    await Promise.all(apps.filter((a) => a.name.startsWith(kind)).map((app) => ensureApp(layout, app)));
  }
  printReport(layout, apps, (Date.now() - started) / 1000);
}
