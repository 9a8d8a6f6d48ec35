import type { IncomingMessage } from "node:http";
import type { HashKeySource } from "../config/types.ts";

/**
 * The key hash strategies place a request by. A missing header or cookie falls back to the
 * client address, so such requests still stick to one backend per client.
 */
export function hashKeyOf(source: HashKeySource, req: IncomingMessage, clientIp: string): string {
  switch (source.kind) {
    case "ip":
      return clientIp;
    case "path": {
      const url = req.url ?? "/";
      const q = url.indexOf("?");
      return q === -1 ? url : url.slice(0, q);
    }
    case "header": {
      const value = req.headers[source.name];
      if (value === undefined || value === "") return clientIp;
      return Array.isArray(value) ? value.join(",") : value;
    }
    case "cookie":
      return cookieValue(req.headers.cookie, source.name) ?? clientIp;
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
