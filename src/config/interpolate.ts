import { formatPath, type ConfigProblem } from "./format-problems.ts";

export type Env = Readonly<Record<string, string | undefined>>;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const SINGLE_REFERENCE = /^\$\{[^}]*\}$/;
const NUMBER = /^-?\d+(?:\.\d+)?$/;

/**
 * Replaces `${NAME}` and `${NAME:-default}` in every string value of a parsed config tree
 * (keys are left alone). `$${` is a literal `${`. Working on the tree, not the raw text, means a
 * problem names the key path it occurred at, and a variable's value can never inject YAML.
 *
 * A value that is exactly one reference takes the type its text has in YAML (`weight: ${W}` with
 * W=3 is the number 3, `true`/`false` are booleans), so numbers and switches can come from the
 * environment; a reference inside a longer string always yields a string.
 */
export function interpolateEnv(tree: unknown, env: Env): { value: unknown; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const walk = (node: unknown, path: PropertyKey[]): unknown => {
    if (typeof node === "string") return interpolateString(node, env, formatPath(path), problems);
    if (Array.isArray(node)) return node.map((item, i) => walk(item, [...path, i]));
    if (node !== null && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, [...path, key]);
      return out;
    }
    return node;
  };
  return { value: walk(tree, []), problems };
}

function interpolateString(text: string, env: Env, path: string, problems: ConfigProblem[]): unknown {
  if (!text.includes("$")) return text;
  let out = "";
  let i = 0;
  let missing = false;
  while (i < text.length) {
    if (text.startsWith("$${", i)) {
      out += "${";
      i += 3;
      continue;
    }
    if (!text.startsWith("${", i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf("}", i + 2);
    if (close === -1) {
      problems.push({
        path,
        message: `unclosed "\${" in ${JSON.stringify(text)} (write "$\${" for a literal "\${")`,
      });
      return text;
    }
    const body = text.slice(i + 2, close);
    const sep = body.indexOf(":-");
    const name = sep === -1 ? body : body.slice(0, sep);
    if (!NAME.test(name)) {
      problems.push({ path, message: `invalid variable reference "\${${body}}"` });
      return text;
    }
    const value = env[name];
    // As in the shell, ":-" also replaces a variable that is set but empty.
    if (sep !== -1 && (value === undefined || value === "")) out += body.slice(sep + 2);
    else if (value !== undefined) out += value;
    else {
      // Keep scanning: every unset variable in this value is reported at once.
      problems.push({
        path,
        message: `environment variable "${name}" is not set (write "\${${name}:-default}" to give a default)`,
      });
      missing = true;
    }
    i = close + 1;
  }
  if (missing) return text;
  return SINGLE_REFERENCE.test(text) ? typed(out) : out;
}

function typed(text: string): unknown {
  if (NUMBER.test(text)) return Number(text);
  if (text === "true") return true;
  if (text === "false") return false;
  return text;
}
