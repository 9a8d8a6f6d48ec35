import { TracewayError } from "../errors.ts";
import { formatProblem, type ConfigProblem } from "./format-problems.ts";

/**
 * A configuration that cannot be used. `problems` lists every problem found, not just the
 * first; the message repeats them one per line for logs that only print `message`.
 */
export class ConfigError extends TracewayError {
  readonly problems: readonly ConfigProblem[];

  constructor(source: string, problems: readonly ConfigProblem[]) {
    const n = problems.length;
    super(
      "CONFIG_INVALID",
      `${source}: ${n} configuration problem${n === 1 ? "" : "s"}:\n${problems.map((p) => `  ${formatProblem(p)}`).join("\n")}`,
    );
    this.name = "ConfigError";
    this.problems = problems;
  }
}
