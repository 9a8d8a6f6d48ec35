import { ConfigError, parseConfigText, type Env } from "../../../src/config/load.ts";
import { formatProblem } from "../../../src/config/format-problems.ts";

/** The formatted problems a config text produces ([] when it is valid). */
export function problemsOf(text: string, env: Env = {}): string[] {
  try {
    parseConfigText(text, { env, source: "test.yaml" });
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems.map(formatProblem);
    throw error;
  }
}

/** A one-upstream file with `extra` YAML appended under the upstream (indented four spaces). */
export function upstreamWith(extra: string): string {
  return `upstreams:\n  api:\n    backends: [{ url: "http://127.0.0.1:8001" }]\n${extra
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n`;
}
