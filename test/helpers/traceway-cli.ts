import { randomUUID } from "node:crypto";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { startCli, type CliProcess } from "./cli-process.ts";
import { REPO_ROOT } from "./services.ts";

/** A traceway process started by the CLI on a config file, and the URLs it logged. */
export interface TracewayCli {
  readonly cli: CliProcess;
  /** The balancer's `http://127.0.0.1:port`. */
  readonly url: string;
  /** The admin API's URL, when the config has `admin`. */
  readonly adminUrl: string | undefined;
  readonly configFile: string;
  /** SIGTERM, wait for the exit code. */
  stop(): Promise<number | null>;
}

/** A fresh folder under .cache for a test's files (config, state); removed by the returned function. */
export async function scratchDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = join(REPO_ROOT, ".cache", "test-scratch", randomUUID());
  await mkdir(dir, { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Writes `yaml` to `file` and runs `traceway --config file`. The config should listen on
 * `127.0.0.1:0` (balancer and admin): the URLs come from the start-up log lines.
 */
export async function startTracewayCli(
  file: string,
  yaml: string,
  env: Record<string, string> = {},
): Promise<TracewayCli> {
  await writeFile(file, yaml);
  const cli = startCli(["--config", file], env);
  try {
    const [, url] = await cli.waitForOutput(
      /"listen_url":"([^"]+)","msg":"traceway listening"/,
      "traceway listening",
      30_000,
    );
    const admin = /"listen_url":"([^"]+)","msg":"admin API listening"/.exec(cli.stdout() + cli.stderr());
    return { cli, url: url!, adminUrl: admin?.[1], configFile: file, stop: () => cli.stop() };
  } catch (error) {
    await cli.stop();
    throw new Error(`${(error as Error).message}\nstdout:\n${cli.stdout()}\nstderr:\n${cli.stderr()}`, {
      cause: error,
    });
  }
}
