import { ConfigError } from "./config-error.ts";
import { formatProblem } from "./format-problems.ts";
import { loadConfigFile, type Env } from "./load.ts";

/** Where `check-config` writes (process.stdout in the CLI, a buffer in tests). */
export interface Output {
  write(text: string): unknown;
}

/**
 * `traceway check-config FILE`: prints every problem, one per line (`key.path: message`), and
 * returns exit code 1; or prints `ok: N upstreams, M routes` (and `, K Kafka bridges` when the file
 * has a kafka section) and any warnings and returns 0.
 */
export async function checkConfigCommand(
  file: string,
  out: Output,
  options: { env?: Env } = {},
): Promise<number> {
  try {
    const { config, warnings } = await loadConfigFile(file, options);
    const kafka = config.kafka ? `, ${plural(config.kafka.bridges.length, "Kafka bridge")}` : "";
    const lines = [
      `ok: ${plural(config.upstreams.size, "upstream")}, ${plural(config.routes.length, "route")}${kafka}`,
      ...warnings.map((w) => `warning: ${w}`),
    ];
    out.write(`${lines.join("\n")}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const n = error.problems.length;
    const lines = [...error.problems.map(formatProblem), `invalid: ${plural(n, "problem")} in ${file}`];
    out.write(`${lines.join("\n")}\n`);
    return 1;
  }
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}
