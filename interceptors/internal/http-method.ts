import { HTTP_METHOD_OTHER } from "../semconv.ts";

/**
 * The methods semconv knows (RFC 9110, PATCH, and the incubating QUERY); anything else is
 * `_OTHER`, so a client cannot mint label values.
 */
const DEFAULT_KNOWN_METHODS: readonly string[] = [
  "CONNECT",
  "DELETE",
  "GET",
  "HEAD",
  "OPTIONS",
  "PATCH",
  "POST",
  "PUT",
  "QUERY",
  "TRACE",
];

/** The variable semconv names for overriding the known methods. */
export const KNOWN_METHODS_ENV = "OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS";

/**
 * The known methods: `OTEL_INSTRUMENTATION_HTTP_KNOWN_METHODS` when set (a comma-separated,
 * case-sensitive list that replaces the defaults, as semconv requires), else the defaults.
 */
export function knownMethods(env: NodeJS.ProcessEnv = process.env): ReadonlySet<string> {
  const listed = env[KNOWN_METHODS_ENV];
  if (listed === undefined) return new Set(DEFAULT_KNOWN_METHODS);
  return new Set(
    listed
      .split(",")
      .map((method) => method.trim())
      .filter((method) => method !== ""),
  );
}

/**
 * `http.request.method` for a raw method: the method when known; its upper-case form when that is
 * known (clients send `get`; semconv lets instrumentations canonicalise case, and then the
 * original goes to `http.request.method_original`); else `_OTHER`.
 */
export function normalizeMethod(method: string | undefined, known: ReadonlySet<string>): string {
  if (method === undefined) return HTTP_METHOD_OTHER;
  if (known.has(method)) return method;
  const upper = method.toUpperCase();
  return known.has(upper) ? upper : HTTP_METHOD_OTHER;
}

/** `http.request.method_original`: the raw method whenever it differs from the normalised one. */
export function originalMethod(method: string | undefined, normalized: string): string | undefined {
  return method !== undefined && method !== normalized ? method : undefined;
}
