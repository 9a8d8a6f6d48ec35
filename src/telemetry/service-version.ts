import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";

/**
 * traceway's own version (`service.version` on `target_info` and spans), from the package.json
 * above this file: found by walking up, so it works from `src/` and from the built `dist/src/`.
 * Read once, at start-up.
 */
export function tracewayVersion(from: string = import.meta.dirname): string | undefined {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === "traceway" && typeof pkg.version === "string") return pkg.version;
    } catch {
      // No (readable) package.json here: keep walking up.
    }
    if (dirname(dir) === dir) return undefined;
  }
}
