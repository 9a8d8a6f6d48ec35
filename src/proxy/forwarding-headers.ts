import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { TLSSocket } from "node:tls";
import { type TrustedProxies, unmapIPv4 } from "./trusted-proxies.ts";

/**
 * Sets X-Forwarded-For (appended), X-Real-IP, X-Forwarded-Proto and X-Forwarded-Host the way
 * nginx with the realip module does: values from a trusted peer are kept, anyone else's are
 * replaced so clients cannot spoof their address.
 * Returns the client address the balancer believes (for ip_hash and logs).
 */
export function setForwardingHeaders(
  req: IncomingMessage,
  out: OutgoingHttpHeaders,
  trusted: TrustedProxies,
): string {
  const peerRaw = req.socket.remoteAddress ?? "";
  const peer = unmapIPv4(peerRaw) ?? peerRaw;
  const fromTrusted = trusted.has(peerRaw);
  const incomingXff = fromTrusted ? joinHeader(req.headers["x-forwarded-for"]) : undefined;

  out["x-forwarded-for"] = incomingXff ? `${incomingXff}, ${peer}` : peer;

  let clientIp = peer;
  if (fromTrusted) {
    const realIp = joinHeader(req.headers["x-real-ip"]);
    clientIp = realIp ?? (incomingXff ? rightmostUntrusted(incomingXff, trusted) : undefined) ?? peer;
  }
  out["x-real-ip"] = clientIp;

  const proto = fromTrusted ? joinHeader(req.headers["x-forwarded-proto"]) : undefined;
  out["x-forwarded-proto"] = proto ?? ((req.socket as TLSSocket).encrypted ? "https" : "http");

  const host = fromTrusted ? joinHeader(req.headers["x-forwarded-host"]) : undefined;
  const ownHost = req.headers.host;
  if (host !== undefined) out["x-forwarded-host"] = host;
  else if (ownHost !== undefined) out["x-forwarded-host"] = ownHost;
  return clientIp;
}

/** nginx `real_ip_recursive on`: walk the chain from the right, skipping trusted hops. */
function rightmostUntrusted(xff: string, trusted: TrustedProxies): string | undefined {
  const hops = xff.split(",");
  for (let i = hops.length - 1; i >= 0; i--) {
    const hop = hops[i]?.trim();
    if (hop && !trusted.has(hop)) return hop;
  }
  return hops[0]?.trim() || undefined;
}

function joinHeader(value: string | string[] | undefined): string | undefined {
  if (value === undefined) return undefined;
  const joined = Array.isArray(value) ? value.join(", ") : value;
  return joined.length > 0 ? joined : undefined;
}
