import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { descendants } from "./proc.ts";

/** How much of a child's stderr is kept to explain a failed start. */
const STDERR_TAIL_CHARS = 4096;
/** Grace period between SIGTERM and SIGKILL when stopping a child. */
const STOP_GRACE_MS = 3000;
/** Open files a child may have: enough for 10k idle clients plus their upstream sockets. */
export const CHILD_NOFILE = 20_000;

/** A process the harness started and must stop. */
export interface ManagedChild {
  readonly name: string;
  readonly pid: number;
  readonly process: ChildProcess;
  /** Resolves with the exit code (or signal name) when the process exits. */
  readonly exited: Promise<string>;
  /** `undefined` while running, else how it ended. */
  exitReason(): string | undefined;
  stderrTail(): string;
  stdoutTail(): string;
}

export interface SpawnOptions {
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Keep stdin open as a pipe (the idle-clients helper is driven through it). */
  readonly stdin?: boolean;
  /** Write stdout to this file instead of a pipe read here (a target's access log, as deployed). */
  readonly stdoutFile?: string;
}

/**
 * Starts children with a raised open-files limit and stops every one of them, on success, on error
 * and on SIGINT. Pids are recorded in a file so a run that was SIGKILLed can be cleaned up by the next.
 */
export class ChildRegistry {
  readonly #children = new Set<ManagedChild>();
  readonly #pidFile: string;

  constructor(pidFile: string) {
    this.#pidFile = pidFile;
  }

  spawn(name: string, command: string, args: readonly string[], options: SpawnOptions = {}): ManagedChild {
    // `exec` keeps the pid, so signals reach the real process, not a shell. The hard limit may be
    // lower than wanted; then the soft limit is raised as far as it goes.
    const script = `ulimit -n ${CHILD_NOFILE} 2>/dev/null || ulimit -n "$(ulimit -Hn)"; exec "$0" "$@"`;
    const out = options.stdoutFile === undefined ? "pipe" : openSync(options.stdoutFile, "w");
    const child = spawn("sh", ["-c", script, command, ...args], {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: [options.stdin === true ? "pipe" : "ignore", out, "pipe"],
    });
    if (typeof out === "number") closeSync(out);
    if (child.pid === undefined) throw new Error(`could not start ${name} (${command})`);
    let stderr = "";
    let stdout = "";
    child.stderr!.setEncoding("utf8").on("data", (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_TAIL_CHARS);
    });
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      stdout = (stdout + chunk).slice(-STDERR_TAIL_CHARS);
    });
    let reason: string | undefined;
    const exited = new Promise<string>((resolve) => {
      child.once("exit", (code, signal) => {
        reason = signal ?? `exit code ${code}`;
        resolve(reason);
      });
      child.once("error", (error) => {
        reason = error.message;
        resolve(reason);
      });
    });
    const managed: ManagedChild = {
      name,
      pid: child.pid,
      process: child,
      exited,
      exitReason: () => reason,
      stderrTail: () => stderr,
      stdoutTail: () => stdout,
    };
    this.#children.add(managed);
    void exited.then(() => this.#children.delete(managed));
    this.#recordPids();
    return managed;
  }

  /** SIGTERM, then SIGKILL after a grace period, for the child and anything it forked. */
  async stop(child: ManagedChild): Promise<void> {
    if (child.exitReason() !== undefined) return;
    const family = [child.pid, ...descendants(child.pid)];
    signalAll(family, "SIGTERM");
    const ended = await Promise.race([child.exited.then(() => true), delay(STOP_GRACE_MS, false)]);
    if (!ended) signalAll(family, "SIGKILL");
    else signalAll(descendants(child.pid), "SIGKILL");
    await Promise.race([child.exited, delay(STOP_GRACE_MS)]);
  }

  /** Simulates a crash: SIGKILL to the child and its workers at once, no graceful close. */
  async kill(child: ManagedChild): Promise<void> {
    signalAll([child.pid, ...descendants(child.pid)], "SIGKILL");
    await Promise.race([child.exited, delay(STOP_GRACE_MS)]);
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.#children].map((child) => this.stop(child)));
    this.#recordPids();
  }

  /** Last resort from a synchronous `exit` handler. */
  killAllNow(): void {
    for (const child of this.#children) signalAll([child.pid, ...descendants(child.pid)], "SIGKILL");
  }

  /**
   * Kills children a previous, SIGKILLed run left behind, but only a pid whose command line is still
   * exactly the one recorded, so a recycled pid is never touched.
   */
  reapStale(): number {
    let entries: { pid: number; cmdline: string }[];
    try {
      entries = JSON.parse(readFileSync(this.#pidFile, "utf8")) as { pid: number; cmdline: string }[];
    } catch {
      return 0;
    }
    let reaped = 0;
    for (const { pid, cmdline } of entries) {
      if (readCmdline(pid) === cmdline) {
        signalAll([pid, ...descendants(pid)], "SIGKILL");
        reaped += 1;
      }
    }
    return reaped;
  }

  #recordPids(): void {
    const entries = [...this.#children].map((c) => ({ pid: c.pid, cmdline: readCmdline(c.pid) }));
    try {
      writeFileSync(this.#pidFile, JSON.stringify(entries.filter((e) => e.cmdline !== undefined)));
    } catch {
      // Only the stale-process cleanup of a later run depends on this file.
    }
  }
}

function readCmdline(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    return undefined;
  }
}

function signalAll(pids: readonly number[], signal: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}
