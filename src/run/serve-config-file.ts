import { watch } from "node:fs";
import { ConfigError, loadConfigFile } from "../config/load.ts";
import { runBalancer } from "./run-balancer.ts";

/** Debounce for editors that write a file in several steps (truncate, write, rename). */
const RELOAD_DEBOUNCE_MS = 200;

/**
 * `traceway --config FILE`: refuses to start on an invalid file; reloads on SIGHUP and when the
 * file changes. An invalid new file is rejected with its problems logged and the old config kept.
 */
export async function serveConfigFile(file: string): Promise<void> {
  let initial;
  try {
    initial = await loadConfigFile(file);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(
        `traceway: invalid configuration ${file}:\n${error.problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}\n`,
      );
      process.exit(1);
    }
    throw error;
  }
  const running = await runBalancer(initial.config);
  const { logger } = running;
  for (const warning of initial.warnings) logger.warn({ config_file: file }, warning);

  let reloading = Promise.resolve();
  const reload = (reason: string): void => {
    reloading = reloading.then(async () => {
      try {
        const next = await loadConfigFile(file);
        for (const warning of next.warnings) logger.warn({ config_file: file }, warning);
        running.reload(next.config);
        logger.info({ config_file: file, reason }, "configuration applied");
      } catch (error) {
        if (error instanceof ConfigError) {
          logger.error(
            { config_file: file, reason, problems: error.problems },
            "new configuration rejected; keeping the old one",
          );
          running.balancer.control.feed.publish({
            type: "reload",
            outcome: "rejected",
            upstreams: [],
            problems: error.problems.map((p) => `${p.path}: ${p.message}`),
          });
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
