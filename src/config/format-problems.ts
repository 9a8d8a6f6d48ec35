import type * as z from "zod";
import { show } from "./parsed.ts";

/** One thing wrong with a configuration: the key path (`upstreams.api.backends[2].url`) and why. */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/;

/** `["upstreams","api","backends",2,"url"]` → `upstreams.api.backends[2].url`; the root is `config`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let text = "";
  for (const key of path) {
    if (typeof key === "number") text += `[${key}]`;
    else if (typeof key === "string" && IDENTIFIER.test(key)) text += text === "" ? key : `.${key}`;
    else text += `[${JSON.stringify(String(key))}]`;
  }
  return text === "" ? "config" : text;
}

/** The one-line form users see: `upstreams.api.backends[2].url: invalid URL "htp:/x"`. */
export function formatProblem(problem: ConfigProblem): string {
  return `${problem.path}: ${problem.message}`;
}

const NOUNS: Readonly<Record<string, string>> = {
  object: "a mapping",
  record: "a mapping",
  array: "a list",
  string: "a string",
  number: "a number",
  boolean: "true or false",
  int: "a whole number",
};

/**
 * Renders zod's built-in issues in traceway's style (the bad value shown, no zod jargon). Passed
 * as the parse-level error map; schema-level messages (custom parsers, enums, unknown keys) win.
 */
export function renderIssue(issue: z.core.$ZodRawIssue): string | undefined {
  const got = `got ${show(issue.input)}`;
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return "is required";
      if (issue.expected === "int") return `must be a whole number, ${got}`;
      return `expected ${NOUNS[issue.expected] ?? issue.expected}, ${got}`;
    case "too_small":
      if (issue.origin === "array" || issue.origin === "string") return "must not be empty";
      return `must be at least ${String(issue.minimum)}, ${got}`;
    case "too_big":
      return `must be at most ${String(issue.maximum)}, ${got}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((v) => show(v)).join(", ")}, ${got}`;
    default:
      return undefined;
  }
}

/** Zod issues as problems: unknown-key issues become one problem per key. */
export function problemsFromIssues(issues: readonly z.core.$ZodIssue[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = formatPath(issue.path);
    const messages = issue.code === "unrecognized_keys" ? issue.message.split("\n") : [issue.message];
    for (const message of messages) problems.push({ path, message });
  }
  return problems;
}
