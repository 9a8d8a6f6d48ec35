import { isIP } from "node:net";
import { fail, ok, show, type Parsed } from "./parsed.ts";

/** Where a server listens. */
export interface ListenAddress {
  readonly host: string;
  readonly port: number;
}

// RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens.
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** True for an IPv4/IPv6 literal (unbracketed) or an RFC 1123 host name. */
export function isHostName(host: string): boolean {
  return isIP(host) !== 0 || HOSTNAME.test(host);
}

/**
 * Parses `host:port`, `[ipv6]:port` or `:port` (all IPv4 interfaces, `0.0.0.0`). A bare number is
 * taken as a port. Port 0 asks the OS for a free port (tests use it).
 */
export function parseListen(input: unknown): Parsed<ListenAddress> {
  if (typeof input === "number") return portOnly(input, input);
  if (typeof input !== "string") return fail(`expected "host:port", got ${show(input)}`);
  const text = input.trim();
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close === -1 || text[close + 1] !== ":") {
      return fail(`invalid listen address ${show(input)}: expected "[ipv6]:port"`);
    }
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6)
      return fail(`invalid listen address ${show(input)}: "${host}" is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon === -1) return fail(`invalid listen address ${show(input)}: expected "host:port"`);
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) {
      return fail(`invalid listen address ${show(input)}: put IPv6 addresses in brackets, e.g. "[::1]:8080"`);
    }
    if (host === "") host = "0.0.0.0";
    else if (!isHostName(host)) return fail(`invalid listen address ${show(input)}: bad host "${host}"`);
  }
  if (!/^\d{1,5}$/.test(portText))
    return fail(`invalid listen address ${show(input)}: bad port "${portText}"`);
  const port = Number(portText);
  if (port > 65535) return fail(`invalid listen address ${show(input)}: port must be 0..65535`);
  return ok({ host, port });
}

function portOnly(port: number, input: unknown): Parsed<ListenAddress> {
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    return fail(`invalid listen address ${show(input)}: port must be 0..65535`);
  }
  return ok({ host: "0.0.0.0", port });
}
