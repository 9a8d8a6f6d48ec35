/**
 * Detached processes with pid files, the way scripts/lib/common.sh runs the services: each process
 * gets its own session (it outlives `npm run stack -- up`), its output goes to its log file, and a pid
 * counts as ours only while the process is alive and its command line still holds its marker, so a
 * recycled pid is never signalled.
 */
import { spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { logsDir, runDir } from "./topology.ts";
import type { AppProcess } from "./topology.ts";

export const pidFile = (dir: string, name: string): string => join(runDir(dir), `${name}.pid`);
export const logFile = (dir: string, name: string): string => join(logsDir(dir), `${name}.log`);

/** The recorded pid of `app` when that process is alive and is still `app`. */
export async function livePid(
  dir: string,
  app: Pick<AppProcess, "name" | "marker">,
): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number((await readFile(pidFile(dir, app.name), "utf8")).trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = (await readFile(`/proc/${pid}/cmdline`, "utf8")).replaceAll("\0", " ");
    return cmdline.includes(app.marker) ? pid : undefined;
  } catch {
    return undefined; // no such process
  }
}

/** Starts `app` detached, appending its output to its log file, and records its pid. */
export async function startDetached(dir: string, root: string, app: AppProcess): Promise<number> {
  const log = openSync(logFile(dir, app.name), "a");
  try {
    const child = spawn(app.command, app.args, {
      cwd: root,
      env: { ...process.env, ...app.env },
      detached: true,
      stdio: ["ignore", log, log],
    });
    const pid = await new Promise<number>((resolve, reject) => {
      child.once("error", (error) =>
        reject(new Error(`${app.name}: cannot start ${app.command}: ${error.message}`)),
      );
      child.once("spawn", () => resolve(child.pid ?? 0));
    });
    child.unref();
    await writeFile(pidFile(dir, app.name), `${pid}\n`);
    return pid;
  } finally {
    closeSync(log);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`; only the pid we recorded, and only while it is still `app`. */
export async function stopProcess(
  dir: string,
  app: Pick<AppProcess, "name" | "marker">,
  graceMs = 20_000,
): Promise<"stopped" | "not running"> {
  const pid = await livePid(dir, app);
  if (pid === undefined) {
    await rm(pidFile(dir, app.name), { force: true });
    return "not running";
  }
  process.kill(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await sleep(100);
  if (alive(pid)) process.kill(pid, "SIGKILL");
  await rm(pidFile(dir, app.name), { force: true });
  return "stopped";
}

/** The last `lines` lines of a log file, for failure reports. */
export async function logTail(path: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(path, "utf8");
    return text.trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log yet)";
  }
}
