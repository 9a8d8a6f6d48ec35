/**
 * Builds the one request a run sends from the URL, method, headers and body on the command line,
 * serialised once to the bytes every connection writes. Problems are thrown as messages that name
 * the option and the bad value.
 */
import { readFileSync } from "node:fs";
import type { RequestSpec } from "./types.ts";

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the generator owns: framing is computed from the body, and there is one connection per loop. */
const OWN_HEADERS = new Set(["content-length", "transfer-encoding", "connection"]);
const USER_AGENT = "traceway-load";

export interface RequestOptions {
  readonly url: string;
  readonly method: string;
  readonly headers: readonly string[];
  /** Text, or `@path` to send a file's bytes. */
  readonly body: string | undefined;
  readonly insecure: boolean;
}

export function buildRequest(options: RequestOptions): RequestSpec {
  const url = parseUrl(options.url);
  const method = options.method.toUpperCase();
  if (!TOKEN.test(method))
    throw new Error(`--method: ${JSON.stringify(options.method)} is not an HTTP method`);
  const body = readBody(options.body);
  const headers = new Map<string, string>([
    ["host", url.host],
    ["user-agent", USER_AGENT],
  ]);
  if (url.username !== "") {
    const credentials = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.set("authorization", `Basic ${Buffer.from(credentials).toString("base64")}`);
  }
  const names = new Map<string, string>([
    ["host", "Host"],
    ["user-agent", "User-Agent"],
    ["authorization", "Authorization"],
  ]);
  for (const line of options.headers) {
    const [name, value] = parseHeader(line);
    headers.set(name.toLowerCase(), value);
    names.set(name.toLowerCase(), name);
  }
  if (body.length > 0 || ["POST", "PUT", "PATCH"].includes(method))
    headers.set("content-length", String(body.length));
  names.set("content-length", "Content-Length");
  const head = [`${method} ${url.pathname}${url.search} HTTP/1.1`];
  for (const [key, value] of headers) head.push(`${names.get(key) ?? key}: ${value}`);
  const bytes = Buffer.concat([Buffer.from(`${head.join("\r\n")}\r\n\r\n`, "latin1"), body]);
  const tls = url.protocol === "https:";
  return {
    url: url.href,
    method,
    target: {
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: url.port === "" ? (tls ? 443 : 80) : Number(url.port),
      tls,
      insecure: options.insecure,
    },
    bytes,
    noBody: method === "HEAD",
  };
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`bad URL ${JSON.stringify(text)}: expected e.g. http://127.0.0.1:8080/api/orders`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`bad URL ${JSON.stringify(text)}: only http:// and https:// are supported`);
  }
  if (url.hostname === "") throw new Error(`bad URL ${JSON.stringify(text)}: no host`);
  return url;
}

function parseHeader(line: string): [string, string] {
  const colon = line.indexOf(":");
  const name = colon === -1 ? "" : line.slice(0, colon).trim();
  const value = colon === -1 ? "" : line.slice(colon + 1).trim();
  if (!TOKEN.test(name)) throw new Error(`--header ${JSON.stringify(line)}: expected "name: value"`);
  if (/[\r\n\0]/.test(value))
    throw new Error(`--header ${JSON.stringify(line)}: the value contains a line break`);
  if (OWN_HEADERS.has(name.toLowerCase())) {
    throw new Error(`--header ${JSON.stringify(line)}: ${name.toLowerCase()} is set by traceway load itself`);
  }
  return [name, value];
}

function readBody(body: string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (!body.startsWith("@")) return Buffer.from(body, "utf8");
  const path = body.slice(1);
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`--body ${body}: cannot read ${JSON.stringify(path)} (${code})`);
  }
}
