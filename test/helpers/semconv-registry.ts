import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as semconv from "@opentelemetry/semantic-conventions/incubating";

/** What `@opentelemetry/semantic-conventions` says of one name it defines. */
export interface RegisteredName {
  /** The exported constant, e.g. `ATTR_MESSAGING_SYSTEM_NAME`. */
  readonly constant: string;
  /** Its JSDoc carries `@deprecated` (the package's own marking of superseded names). */
  readonly deprecated: boolean;
}

const DECLARATION =
  /\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*declare const ((?:ATTR|METRIC)_[A-Z0-9_]+): "([^"]+)";/g;

function declarationsIn(file: string): Map<string, RegisteredName> {
  const found = new Map<string, RegisteredName>();
  for (const [, doc = "", constant = "", value = ""] of readFileSync(file, "utf8").matchAll(DECLARATION)) {
    const deprecated = doc.includes("@deprecated");
    const known = found.get(value);
    // A name declared twice (stable and incubating) counts as current if either says so.
    if (known === undefined || (known.deprecated && !deprecated)) found.set(value, { constant, deprecated });
  }
  return found;
}

/**
 * Every attribute and metric name the installed `@opentelemetry/semantic-conventions` defines, by
 * value, read from its type declarations (the JavaScript constants carry no deprecation marks).
 */
export function semconvRegistry(): {
  attributes: Map<string, RegisteredName>;
  metrics: Map<string, RegisteredName>;
} {
  const dist = dirname(fileURLToPath(import.meta.resolve("@opentelemetry/semantic-conventions/incubating")));
  const read = (...files: string[]) => {
    const merged = new Map<string, RegisteredName>();
    for (const file of files) {
      for (const [value, name] of declarationsIn(join(dist, file))) {
        const known = merged.get(value);
        if (known === undefined || (known.deprecated && !name.deprecated)) merged.set(value, name);
      }
    }
    return merged;
  };
  const attributes = read("stable_attributes.d.mts", "experimental_attributes.d.mts");
  const metrics = read("stable_metrics.d.mts", "experimental_metrics.d.mts");
  // The declarations are read as text; make sure that reading found what the module exports.
  for (const [value, { constant }] of [...attributes, ...metrics]) {
    if ((semconv as Record<string, unknown>)[constant] !== value)
      throw new Error(`semconv-registry: ${constant} is not exported as "${value}"`);
  }
  if (attributes.size < 100 || metrics.size < 50) throw new Error("semconv-registry: declarations not found");
  return { attributes, metrics };
}
