/**
 * Query parameters whose values never reach a span (`url.query`, `url.full`): the four the HTTP
 * semconv names (AWS, Azure and Google signed URLs) plus the usual names of credentials and
 * tokens. Matched without regard to case.
 */
export const DEFAULT_REDACTED_QUERY_PARAMETERS: readonly string[] = [
  "AWSAccessKeyId",
  "Signature",
  "sig",
  "X-Goog-Signature",
  "X-Amz-Signature",
  "X-Amz-Credential",
  "X-Amz-Security-Token",
  "token",
  "access_token",
  "refresh_token",
  "id_token",
  "api_key",
  "apikey",
  "password",
  "passwd",
  "secret",
  "client_secret",
];

/** What a redacted value is replaced with (semconv: the key stays, the value becomes `REDACTED`). */
export const REDACTED = "REDACTED";

/** Replaces the values of sensitive query parameters, keeping every key and the order. */
export class QueryRedactor {
  readonly #keys: ReadonlySet<string>;

  constructor(keys: readonly string[] = DEFAULT_REDACTED_QUERY_PARAMETERS) {
    this.#keys = new Set(keys.map((key) => key.toLowerCase()));
  }

  /** `query` (without the `?`) with the listed parameters' values replaced by `REDACTED`. */
  query(query: string): string {
    if (this.#keys.size === 0 || query === "") return query;
    let changed = false;
    const parts = query.split("&");
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const eq = part.indexOf("=");
      if (eq === -1 || !this.#keys.has(decodedKey(part.slice(0, eq)).toLowerCase())) continue;
      parts[i] = `${part.slice(0, eq + 1)}${REDACTED}`;
      changed = true;
    }
    return changed ? parts.join("&") : query;
  }

  /** `url` with its query redacted; the fragment, if any, is kept. */
  url(url: string): string {
    const q = url.indexOf("?");
    if (q === -1 || this.#keys.size === 0) return url;
    const hash = url.indexOf("#", q);
    const end = hash === -1 ? url.length : hash;
    return url.slice(0, q + 1) + this.query(url.slice(q + 1, end)) + url.slice(end);
  }
}

/** A key as the application reads it: `api%5Fkey` and `api_key` are the same parameter. */
function decodedKey(key: string): string {
  if (!key.includes("%") && !key.includes("+")) return key;
  try {
    return decodeURIComponent(key.replaceAll("+", " "));
  } catch {
    return key;
  }
}
