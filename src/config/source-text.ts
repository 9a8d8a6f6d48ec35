import { parseDocument } from "yaml";
import type { ConfigProblem } from "./format-problems.ts";

export type ConfigFormat = "yaml" | "json";

/** `.json` files are JSON; everything else is YAML (which also reads most JSON). */
export function formatOf(file: string): ConfigFormat {
  return file.toLowerCase().endsWith(".json") ? "json" : "yaml";
}

/**
 * Parses config text into a plain tree. Syntax problems carry `source:line:column` as their
 * path so editors can jump to them. YAML duplicate keys are errors (a silently overridden key is
 * a classic outage), and merge keys (`<<: *defaults`) are allowed for sharing settings.
 */
export function parseSourceText(
  text: string,
  format: ConfigFormat,
  source: string,
): { tree: unknown; problems: ConfigProblem[] } {
  if (format === "json") return parseJson(text, source);
  const doc = parseDocument(text, { uniqueKeys: true, merge: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      tree: undefined,
      problems: doc.errors.map((error) => {
        const pos = error.linePos?.[0];
        // prettyErrors appends " at line L, column C:" and a code excerpt; the position goes in the path.
        const headline = (error.message.split("\n")[0] ?? "").replace(/ at line \d+, column \d+:?$/, "");
        return {
          path: pos ? `${source}:${pos.line}:${pos.col}` : source,
          message: `YAML syntax error: ${headline}`,
        };
      }),
    };
  }
  try {
    return { tree: doc.toJS({ maxAliasCount: 100 }) as unknown, problems: [] };
  } catch (error) {
    return {
      tree: undefined,
      problems: [{ path: source, message: `YAML error: ${(error as Error).message}` }],
    };
  }
}

function parseJson(text: string, source: string): { tree: unknown; problems: ConfigProblem[] } {
  try {
    return { tree: JSON.parse(text) as unknown, problems: [] };
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message);
    let path = source;
    if (position) {
      const before = text.slice(0, Number(position[1]));
      const line = before.split("\n").length;
      path = `${source}:${line}:${before.length - before.lastIndexOf("\n")}`;
    }
    return {
      tree: undefined,
      problems: [{ path, message: `JSON syntax error: ${message.replace(/ in JSON at position.*$/, "")}` }],
    };
  }
}
