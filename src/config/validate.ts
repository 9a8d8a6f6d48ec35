import { ConfigError } from "./config-error.ts";
import { crossCheck } from "./cross-checks.ts";
import { problemsFromIssues, renderIssue, type ConfigProblem } from "./format-problems.ts";
import { normalise } from "./normalise.ts";
import { configSchema } from "./schema.ts";
import type { TracewayConfig } from "./types.ts";

/** A usable configuration and the warnings (valid but suspicious settings) found on the way. */
export interface LoadedConfig {
  readonly config: TracewayConfig;
  readonly warnings: readonly string[];
}

/**
 * Validates an already parsed and interpolated config tree and fills every default.
 * @param source names the config in the error message (a file path, "embedded demo", ...).
 * @throws ConfigError listing every problem, each with its key path.
 */
export function validateConfig(raw: unknown, source = "configuration"): LoadedConfig {
  const result = checkTree(raw);
  if (!result.ok) throw new ConfigError(source, result.problems);
  return result.loaded;
}

/** The non-throwing core of {@link validateConfig}. */
export function checkTree(
  raw: unknown,
): { ok: true; loaded: LoadedConfig } | { ok: false; problems: ConfigProblem[] } {
  raw = withoutExtensions(raw);
  const parsed = configSchema.safeParse(raw, { error: renderIssue, reportInput: true });
  const problems = [...(parsed.success ? [] : problemsFromIssues(parsed.error.issues)), ...crossCheck(raw)];
  if (!parsed.success || problems.length > 0) return { ok: false, problems };
  return { ok: true, loaded: normalise(parsed.data) };
}

/**
 * Drops top-level keys starting with `x-` (as docker compose does), so a file can hold YAML
 * anchors for shared settings (`x-health: &health {...}` then `healthCheck: *health`).
 */
export function withoutExtensions(tree: unknown): unknown {
  if (tree === null || typeof tree !== "object" || Array.isArray(tree)) return tree;
  return Object.fromEntries(Object.entries(tree).filter(([key]) => !key.startsWith("x-")));
}
