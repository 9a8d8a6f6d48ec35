import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

/** RFC 9110 §7.6.1 connection-specific fields, plus the legacy ones proxies must not forward. */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Copies `headers` without hop-by-hop fields, including any field the `Connection` header
 * names (RFC 9110: those are connection-specific too).
 */
export function withoutHopByHop(headers: IncomingHttpHeaders, keepUpgrade = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connection = headers.connection;
  const named = connection ? parseConnectionTokens(connection) : undefined;
  for (const key in headers) {
    if (HOP_BY_HOP.has(key) && !(keepUpgrade && (key === "upgrade" || key === "connection"))) continue;
    if (named?.has(key)) continue;
    const value = headers[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Connection tokens that name no header field. */
function namesNoField(token: string): boolean {
  return token === "" || token === "close" || token === "keep-alive" || token === "upgrade";
}

/**
 * Header names listed in `Connection`, or undefined when it lists none: the usual single
 * `keep-alive` or `close` then costs no split and no Set.
 */
function parseConnectionTokens(value: string): Set<string> | undefined {
  if (!value.includes(",")) {
    const token = value.trim().toLowerCase();
    return namesNoField(token) ? undefined : new Set([token]);
  }
  let tokens: Set<string> | undefined;
  for (const part of value.split(",")) {
    const token = part.trim().toLowerCase();
    if (!namesNoField(token)) (tokens ??= new Set()).add(token);
  }
  return tokens;
}
