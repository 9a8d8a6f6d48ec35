import { spawn, type ChildProcess } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { RUNTIME_FLAGS } from "../../src/run/runtime-flags.ts";
import { waitFor } from "./wait-for.ts";

const ROOT = join(import.meta.dirname, "..", "..");

/** The traceway CLI running as a child process, with its output collected. */
export interface CliProcess {
  readonly child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
  /** Waits until stdout+stderr match `pattern`; returns the match. */
  waitForOutput(pattern: RegExp, what: string, timeoutMs?: number): Promise<RegExpMatchArray>;
  stop(): Promise<number | null>;
}

/**
 * Starts `traceway ARGS`. Its stdout is a pipe this process reads, or with `stdoutFile` that file
 * (what a service manager or `> file` gives it); `stdout()` reads either.
 */
export function startCli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: { stdoutFile?: string } = {},
): CliProcess {
  const file = options.stdoutFile === undefined ? undefined : openSync(options.stdoutFile, "w");
  const child = spawn(
    join(ROOT, "node_modules", ".bin", "node"),
    [...RUNTIME_FLAGS, join(ROOT, "src", "cli.ts"), ...args],
    {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ["ignore", file ?? "pipe", "pipe"],
    },
  );
  if (file !== undefined) closeSync(file);
  const stdout = (): string =>
    options.stdoutFile === undefined ? out : readFileSync(options.stdoutFile, "utf8");
  let out = "";
  let err = "";
  child.stdout?.on("data", (c: Buffer) => (out += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    stdout,
    stderr: () => err,
    exited,
    waitForOutput: (pattern, what, timeoutMs = 15_000) =>
      waitFor(() => (stdout() + err).match(pattern) ?? undefined, { what, timeoutMs }),
    async stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}
