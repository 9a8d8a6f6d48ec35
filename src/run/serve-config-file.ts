import { watch } from "node:fs";
import { ConfigError, loadConfigSource } from "../config/load.ts";
import { BALANCER_RESTART_KEYS, restartNeeded, TELEMETRY_RESTART_KEYS } from "../config/restart-keys.ts";
import { resolveWorkerCount } from "../config/worker-count.ts";
import { servePrimary } from "../workers/primary.ts";
import { workersChange } from "../workers/restart-only.ts";
import { runBalancer } from "./run-balancer.ts";
import type { Served } from "./served.ts";

/** Debounce for editors that write a file in several steps (truncate, write, rename). */
const RELOAD_DEBOUNCE_MS = 200;

/**
 * `traceway --config FILE`: refuses to start on an invalid file; reloads on SIGHUP and when the
 * file changes. An invalid new file is rejected with its problems logged and the old config kept.
 * With `server.workers` above 1 this process is the instance's primary (docs/workers.md): it
 * reloads here and hands the validated text to every worker.
 */
export async function serveConfigFile(file: string): Promise<void> {
  let initial;
  try {
    initial = await loadConfigSource(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `traceway: invalid configuration ${file}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const workers = resolveWorkerCount(initial.config.server.workers);
  const served: Served = workers > 1 ? await servePrimary(initial, workers) : await serveOne(initial.config);
  const { logger } = served;
  for (const warning of initial.warnings) logger.warn({ config_file: file }, warning);

  let running = initial.config;
  let reloading = Promise.resolve();
  const reload = (reason: string): void => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadConfigSource(file);
        // Checked here, before a primary applies anything of it (its workers check the same).
        const refused = [
          ...restartNeeded(BALANCER_RESTART_KEYS, running, next.config),
          ...restartNeeded(TELEMETRY_RESTART_KEYS, running, next.config),
        ].map((p) => (p.path === "server.workers" ? (workersChange(running, next.config) ?? p) : p));
        if (refused.length > 0) throw new ConfigError(file, refused);
        for (const warning of next.warnings) logger.warn({ config_file: file }, warning);
        await served.reload(next);
        running = next.config;
        logger.info({ config_file: file, reason }, "configuration applied");
      } catch (error) {
        if (error instanceof ConfigError) {
          logger.error(
            { config_file: file, reason, problems: error.problems },
            "new configuration rejected; keeping the old one",
          );
          served.rejected?.(error.problems.map((p) => `${p.path}: ${p.message}`));
        } else {
          logger.error(
            { config_file: file, reason, err: error },
            "configuration reload failed; keeping the old one",
          );
        }
      }
    });
  };

  process.on("SIGHUP", () => reload("SIGHUP"));
  let timer: NodeJS.Timeout | undefined;
  const watcher = watch(file, () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => reload("file changed"), RELOAD_DEBOUNCE_MS);
  });
  watcher.on("error", (err) =>
    logger.warn({ err, config_file: file }, "config file watch failed; SIGHUP still reloads"),
  );
}

/** One process serving everything: no primary, no IPC. */
async function serveOne(config: Parameters<typeof runBalancer>[0]): Promise<Served> {
  const running = await runBalancer(config);
  return {
    logger: running.logger,
    reload: (next) => {
      running.reload(next.config);
      return Promise.resolve();
    },
    rejected: (problems) =>
      running.balancer.control.feed.publish({ type: "reload", outcome: "rejected", upstreams: [], problems }),
  };
}
