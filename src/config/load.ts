import { readFile } from "node:fs/promises";
import { ConfigError } from "./config-error.ts";
import type { ConfigProblem } from "./format-problems.ts";
import { interpolateEnv, type Env } from "./interpolate.ts";
import { formatOf, parseSourceText, type ConfigFormat } from "./source-text.ts";
import { checkTree, validateConfig, withoutExtensions, type LoadedConfig } from "./validate.ts";

export { ConfigError, validateConfig };
export type { ConfigFormat, ConfigProblem, Env, LoadedConfig };

export interface ParseOptions {
  /** Default `yaml`. */
  readonly format?: ConfigFormat;
  /** Variables for `${NAME}` interpolation; default `process.env`. */
  readonly env?: Env;
  /** Names the text in problems and errors (a file path); default `config`. */
  readonly source?: string;
}

/**
 * Parses, interpolates and validates config text: the whole pipeline except reading the file,
 * for tests and for reloads.
 * @throws ConfigError listing every problem found.
 */
export function parseConfigText(text: string, options: ParseOptions = {}): LoadedConfig {
  const source = options.source ?? "config";
  const parsed = parseSourceText(text, options.format ?? "yaml", source);
  if (parsed.problems.length > 0) throw new ConfigError(source, parsed.problems);
  if (parsed.tree === null || parsed.tree === undefined) {
    throw new ConfigError(source, [{ path: source, message: "is empty; at least upstreams is required" }]);
  }
  const interpolated = interpolateEnv(withoutExtensions(parsed.tree), options.env ?? process.env);
  const checked = checkTree(interpolated.value);
  if (interpolated.problems.length === 0 && checked.ok) return checked.loaded;
  // A value whose variable is unset fails the schema too; report only the cause.
  const unset = interpolated.problems.map((p) => p.path);
  const consequences = checked.ok
    ? []
    : checked.problems.filter((p) => !unset.some((path) => isWithin(p.path, path)));
  throw new ConfigError(source, [...interpolated.problems, ...consequences]);
}

/**
 * Reads a YAML or JSON (`.json`) config file, interpolates `${ENV}` from `process.env`,
 * validates it and fills defaults.
 * @throws ConfigError listing every problem found, or that the file cannot be read.
 */
export async function loadConfigFile(file: string, options: { env?: Env } = {}): Promise<LoadedConfig> {
  const { config, warnings } = await loadConfigSource(file, options);
  return { config, warnings };
}

/** The text a config was made from, and how to parse it again ({@link parseConfigText}). */
export interface ConfigSource {
  readonly text: string;
  readonly format: ConfigFormat;
  /** The file it was read from. */
  readonly source: string;
}

/**
 * {@link loadConfigFile}, also returning the exact text it validated: a multi-worker primary hands
 * that text to its workers, so each parses what the primary checked, not whatever the file holds
 * by the time a worker reads it.
 */
export async function loadConfigSource(
  file: string,
  options: { env?: Env } = {},
): Promise<LoadedConfig & { readonly source: ConfigSource }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new ConfigError(file, [{ path: file, message: `cannot read file: ${(error as Error).message}` }]);
  }
  const source: ConfigSource = { text, format: formatOf(file), source: file };
  const loaded = parseConfigText(text, {
    format: source.format,
    source: file,
    ...(options.env ? { env: options.env } : {}),
  });
  return { ...loaded, source };
}

function isWithin(path: string, ancestor: string): boolean {
  return path === ancestor || path.startsWith(`${ancestor}.`) || path.startsWith(`${ancestor}[`);
}
