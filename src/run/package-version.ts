import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * traceway's version, read from its package.json. Found upwards from this file because it runs
 * from `src/run/` in a checkout and from `dist/src/run/` once built, two and three levels down.
 */
export function packageVersion(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    const version = versionIn(join(dir, "package.json"));
    if (version !== undefined) return version;
    if (dirname(dir) === dir) throw new Error(`traceway: no package.json above ${import.meta.dirname}`);
  }
}

function versionIn(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
  const pkg = JSON.parse(text) as { name?: unknown; version?: unknown };
  return pkg.name === "traceway" && typeof pkg.version === "string" ? pkg.version : undefined;
}
