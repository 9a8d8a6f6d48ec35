import { isHostName } from "./listen.ts";
import { fail, ok, show, type Parsed } from "./parsed.ts";

/** Kafka's legal topic names (Topic.validate): 1-249 of letters, digits, `.`, `_` and `-`. */
const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;
/** Bridge names become metric labels, group ids and key paths: keep them plain. */
const BRIDGE_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** RFC 9110 token: what a header field name may be. */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const PLACEHOLDER = /\{([^}]*)\}/g;

/** What a bridge's `path` may contain between braces. */
export const PATH_PLACEHOLDERS = ["topic", "partition", "key"] as const;

/** Header names a bridge sets itself, or that belong to the connection. */
const RESERVED_HEADERS = new Set([
  "host",
  "content-length",
  "transfer-encoding",
  "connection",
  "keep-alive",
  "te",
  "trailer",
  "upgrade",
  "traceparent",
  "tracestate",
]);
/** Prefix of the headers that carry the message's key, partition, offset, timestamp and headers. */
export const KAFKA_HEADER_PREFIX = "x-kafka-";

export function parseTopic(input: unknown): Parsed<string> {
  if (typeof input !== "string") return fail(`expected a topic name, got ${show(input)}`);
  if (input === "." || input === "..") return fail(`invalid topic name ${show(input)}`);
  if (!TOPIC.test(input)) {
    return fail(`invalid topic name ${show(input)}: use 1-249 letters, digits, ".", "_" and "-"`);
  }
  return ok(input);
}

export function parseBridgeName(input: unknown): Parsed<string> {
  if (typeof input !== "string") return fail(`expected a bridge name, got ${show(input)}`);
  if (!BRIDGE_NAME.test(input)) {
    return fail(`invalid bridge name ${show(input)}: use up to 64 letters, digits, "_" and "-"`);
  }
  return ok(input);
}

/** `host:port` or `[ipv6]:port` of a bootstrap broker. */
export function parseBroker(input: unknown): Parsed<string> {
  if (typeof input !== "string") return fail(`expected "host:port", got ${show(input)}`);
  const text = input.trim();
  const bracketed = /^\[([^\]]+)\]:(\d{1,5})$/.exec(text);
  const plain = /^([^:[\]\s]+):(\d{1,5})$/.exec(text);
  const match = bracketed ?? plain;
  if (match === null) return fail(`invalid broker ${show(input)}: expected "host:port"`);
  const [, host = "", port = ""] = match;
  if (!isHostName(host)) return fail(`invalid broker ${show(input)}: bad host "${host}"`);
  if (Number(port) < 1 || Number(port) > 65535) {
    return fail(`invalid broker ${show(input)}: port must be 1..65535`);
  }
  return ok(text);
}

/** An absolute path whose only `{...}` parts are {@link PATH_PLACEHOLDERS}. */
export function parsePathTemplate(input: unknown): Parsed<string> {
  if (typeof input !== "string") return fail(`expected a path such as "/events/{topic}", got ${show(input)}`);
  if (!input.startsWith("/")) return fail(`must start with "/", got ${show(input)}`);
  for (const [, name = ""] of input.matchAll(PLACEHOLDER)) {
    if (!(PATH_PLACEHOLDERS as readonly string[]).includes(name)) {
      const known = PATH_PLACEHOLDERS.map((p) => `{${p}}`).join(", ");
      return fail(`unknown placeholder {${name}} in ${show(input)}; known: ${known}`);
    }
  }
  if (/[\s{}]/.test(input.replace(PLACEHOLDER, ""))) {
    return fail(`invalid path ${show(input)}: no spaces, and braces only around a placeholder`);
  }
  return ok(input);
}

/** Static request headers: token names (lower-cased), no reserved or `x-kafka-*` ones, one-line values. */
export function parseHeaderMap(input: unknown): Parsed<Readonly<Record<string, string>>> {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return fail(`expected a mapping of header names to values, got ${show(input)}`);
  }
  const headers: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(input)) {
    const name = rawName.toLowerCase();
    if (!TOKEN.test(name)) return fail(`invalid header name ${show(rawName)}`);
    if (RESERVED_HEADERS.has(name)) return fail(`header ${show(rawName)} is set by traceway, not here`);
    if (name.startsWith(KAFKA_HEADER_PREFIX)) {
      return fail(`header ${show(rawName)}: ${KAFKA_HEADER_PREFIX}* headers carry the message's own fields`);
    }
    if (typeof value !== "string" && typeof value !== "number") {
      return fail(`header ${show(rawName)}: expected a string value, got ${show(value)}`);
    }
    const text = String(value);
    if (/[\r\n\0]/.test(text)) return fail(`header ${show(rawName)}: value must be one line`);
    headers[name] = text;
  }
  return ok(headers);
}
