import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { HashKeySource } from "../config/types.ts";

/**
 * The key hash strategies place a request by. A missing header or cookie falls back to the
 * client address, so such requests still stick to one backend per client.
 */
export function hashKeyOf(source: HashKeySource, req: IncomingMessage, clientIp: string): string {
  return keyOf(source, req.url ?? "/", req.headers, clientIp);
}

/**
 * The same key for an in-process dispatch, which has no client address: `identity` stands in
 * for it (the Kafka bridge passes the message key, so one key sticks to one backend).
 */
export function dispatchHashKey(
  source: HashKeySource,
  path: string,
  headers: OutgoingHttpHeaders,
  identity: string,
): string {
  return keyOf(source, path, headers, identity);
}

function keyOf(
  source: HashKeySource,
  url: string,
  headers: IncomingHttpHeaders | OutgoingHttpHeaders,
  clientIp: string,
): string {
  switch (source.kind) {
    case "ip":
      return clientIp;
    case "path": {
      const q = url.indexOf("?");
      return q === -1 ? url : url.slice(0, q);
    }
    case "header": {
      const value = headers[source.name];
      if (value === undefined || value === "") return clientIp;
      return Array.isArray(value) ? value.join(",") : String(value);
    }
    case "cookie": {
      const cookie = headers.cookie;
      return cookieValue(typeof cookie === "string" ? cookie : undefined, source.name) ?? clientIp;
    }
  }
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
