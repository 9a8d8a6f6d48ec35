import type { HashKeySource } from "./types.ts";
import { fail, ok, show, type Parsed } from "./parsed.ts";

// RFC 9110 token: what a header or cookie name may contain.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/i;

/**
 * Parses `hashKey`: `ip`, `path`, `header:NAME` or `cookie:NAME`. Header names are lower-cased
 * because Node lower-cases incoming header names.
 */
export function parseHashKey(input: unknown): Parsed<HashKeySource> {
  if (typeof input !== "string")
    return fail(`expected a hash key such as "ip" or "header:x-user-id", got ${show(input)}`);
  const text = input.trim();
  if (text === "ip") return ok({ kind: "ip" });
  if (text === "path") return ok({ kind: "path" });
  const colon = text.indexOf(":");
  const kind = colon === -1 ? "" : text.slice(0, colon);
  const name = text.slice(colon + 1).trim();
  if (kind !== "header" && kind !== "cookie") {
    return fail(`invalid hashKey ${show(input)}: use ip, path, header:NAME or cookie:NAME`);
  }
  if (!TOKEN.test(name)) return fail(`invalid hashKey ${show(input)}: "${name}" is not a valid ${kind} name`);
  return ok(kind === "header" ? { kind, name: name.toLowerCase() } : { kind, name });
}
