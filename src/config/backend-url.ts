import { fail, ok, show, type Parsed } from "./parsed.ts";

const SCHEME_AND_AUTHORITY = /^[a-z][a-z0-9+.-]*:\/\/[^/]/i;

/**
 * Parses an absolute http(s) URL; `schemeHint` says why other schemes are refused. Shared by every
 * config value that names an HTTP endpoint, so they fail with the same words.
 */
export function parseHttpUrl(input: string, schemeHint: string): Parsed<URL> {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return fail(`invalid URL ${show(input)}`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return fail(`invalid URL ${show(input)}: ${schemeHint}`);
  }
  return ok(url);
}

/**
 * Parses a backend URL to its origin (`http://host:port`), which is the backend's identity in
 * the pool. Paths, queries and credentials are refused rather than silently dropped.
 */
export function parseBackendUrl(input: unknown): Parsed<string> {
  if (typeof input !== "string")
    return fail(`expected a URL such as "http://127.0.0.1:8001", got ${show(input)}`);
  // WHATWG parsing accepts "http:/x" as host "x"; insisting on "scheme://" catches such typos.
  if (!SCHEME_AND_AUTHORITY.test(input)) return fail(`invalid URL ${show(input)}`);
  const parsed = parseHttpUrl(input, "scheme must be http or https");
  if (!parsed.ok) return fail(parsed.message);
  const url = parsed.value;
  if (url.hostname === "") return fail(`invalid URL ${show(input)}: no host`);
  if (url.username || url.password) return fail(`invalid URL ${show(input)}: credentials are not supported`);
  if (url.pathname !== "/" || url.search || url.hash) {
    return fail(
      `invalid URL ${show(input)}: backends are origins (scheme://host:port), without a path or query`,
    );
  }
  return ok(url.origin);
}
