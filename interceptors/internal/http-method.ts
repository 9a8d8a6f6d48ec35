import { HTTP_METHOD_OTHER } from "../semconv.ts";

/** The methods semconv knows; anything else is `_OTHER`, so a client cannot mint label values. */
const KNOWN_METHODS: ReadonlySet<string> = new Set([
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
]);

/** `http.request.method` for a raw method: the method itself when known, else `_OTHER`. */
export function normalizeMethod(method: string | undefined): string {
  if (method === undefined) return "GET";
  if (KNOWN_METHODS.has(method)) return method;
  // Methods are case-sensitive (RFC 9110), but clients send `get`; semconv allows normalising case.
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : HTTP_METHOD_OTHER;
}
