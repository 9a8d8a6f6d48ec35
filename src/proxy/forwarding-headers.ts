import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { type TrustedProxies, unmapIPv4 } from "./trusted-proxies.ts";

/** RFC 7230 token characters: a Forwarded value made of only these needs no quotes. */
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Sets X-Forwarded-For (appended), X-Real-IP, X-Forwarded-Proto and X-Forwarded-Host the way
 * nginx with the realip module does: values from a trusted peer are kept, anyone else's are
 * replaced so clients cannot spoof their address. The RFC 7239 `Forwarded` header follows the same
 * rule: a trusted peer's is kept, anyone else's dropped, and with `forwarded` this hop's element
 * (`for=…;proto=…;host=…`) is appended.
 * Returns the client address the balancer believes (for ip_hash and logs).
 */
export function setForwardingHeaders(
  req: IncomingMessage,
  out: OutgoingHttpHeaders,
  trusted: TrustedProxies,
  forwarded = false,
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

  const incoming = fromTrusted ? joinHeader(req.headers.forwarded) : undefined;
  const own = forwarded ? forwardedElement(peer, req, ownHost) : undefined;
  const chain = incoming === undefined ? own : own === undefined ? incoming : `${incoming}, ${own}`;
  if (chain === undefined) delete out.forwarded;
  else out.forwarded = chain;
  return clientIp;
}

/** This hop's `Forwarded` element: who connected to us, over what, asking for which host. */
function forwardedElement(peer: string, req: IncomingMessage, host: string | undefined): string {
  // RFC 7239 §6: an IPv6 node is bracketed (and so quoted); a peer without an address is "unknown".
  const node = peer === "" ? "unknown" : isIP(peer) === 6 ? `[${peer}]` : peer;
  const proto = (req.socket as TLSSocket).encrypted ? "https" : "http";
  const element = `for=${quoted(node)};proto=${proto}`;
  return host === undefined ? element : `${element};host=${quoted(host)}`;
}

function quoted(value: string): string {
  return TOKEN.test(value) ? value : `"${value.replace(/["\\]/g, "\\$&")}"`;
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
