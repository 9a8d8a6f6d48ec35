import type { Attributes } from "@opentelemetry/api";
import { originalMethod } from "../internal/http-method.ts";
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_NETWORK_PEER_ADDRESS,
  ATTR_NETWORK_PEER_PORT,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_QUERY,
  ATTR_USER_AGENT_ORIGINAL,
} from "../semconv.ts";
import type { QueryRedactor } from "./query-redaction.ts";
import type { HttpServerRequest, HttpServerRequestFacts } from "./types.ts";

/**
 * `url.scheme`: the forwarded scheme when it is `http` or `https` (a trusted proxy's first
 * `X-Forwarded-Proto` value), else the connection's. Only two values ever reach a metric label.
 */
export function schemeOf(req: HttpServerRequest, forwarded: string | undefined): string {
  if (forwarded === "http" || forwarded === "https") return forwarded;
  if (forwarded !== undefined) {
    const first = forwarded.split(",")[0]!.trim().toLowerCase();
    if (first === "http" || first === "https") return first;
  }
  return (req.socket as { encrypted?: boolean }).encrypted ? "https" : "http";
}

/** `network.protocol.version` (`1.0`, `1.1`, `2`), or undefined when the parser never read one. */
export function protocolVersion(req: HttpServerRequest): string | undefined {
  const major = req.httpVersionMajor;
  if (major === undefined || major === 0) return undefined;
  if (major === 1) return req.httpVersionMinor === 0 ? "1.0" : "1.1";
  return String(major);
}

/**
 * The span-only attributes of an incoming request (everything that may not become a metric
 * label): path, redacted query, original method, server and client addresses, user agent.
 */
export function serverSpanAttributes(
  req: HttpServerRequest,
  facts: HttpServerRequestFacts,
  method: string,
  scheme: string,
  redactor: QueryRedactor,
  extra: Attributes | undefined,
): Attributes {
  const attributes: Attributes = extra === undefined ? {} : { ...extra };
  const url = req.url;
  if (url !== undefined) {
    const q = url.indexOf("?");
    attributes[ATTR_URL_PATH] = q === -1 ? url : url.slice(0, q);
    if (q !== -1) attributes[ATTR_URL_QUERY] = redactor.query(url.slice(q + 1));
  }
  const original = originalMethod(req.method, method);
  if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
  const authority = facts.authority ?? firstValue(req.headers.host);
  if (authority !== undefined) setServer(attributes, authority, scheme);
  const peer = req.socket.remoteAddress;
  const client = facts.clientAddress ?? peer;
  if (client !== undefined) attributes[ATTR_CLIENT_ADDRESS] = client;
  if (peer !== undefined) {
    attributes[ATTR_NETWORK_PEER_ADDRESS] = peer;
    if (req.socket.remotePort !== undefined) attributes[ATTR_NETWORK_PEER_PORT] = req.socket.remotePort;
  }
  const userAgent = req.headers["user-agent"];
  if (userAgent !== undefined) attributes[ATTR_USER_AGENT_ORIGINAL] = userAgent;
  return attributes;
}

/**
 * `server.address` / `server.port` from an authority (`host[:port]`, `[v6]:port`); the port
 * defaults to the scheme's when the authority names none.
 */
function setServer(attributes: Attributes, authority: string, scheme: string): void {
  let host = authority;
  let port: number | undefined;
  const close = authority.startsWith("[") ? authority.indexOf("]") : -1;
  const colon = authority.indexOf(":", close === -1 ? 0 : close);
  if (colon !== -1) {
    host = authority.slice(0, colon);
    port = Number(authority.slice(colon + 1));
  }
  if (close !== -1) host = host.slice(1, close);
  if (host === "") return;
  attributes[ATTR_SERVER_ADDRESS] = host;
  if (port === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
    port = scheme === "https" ? 443 : 80;
  }
  attributes[ATTR_SERVER_PORT] = port;
}

function firstValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
