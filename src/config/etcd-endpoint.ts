import { parseBackendUrl } from "./backend-url.ts";
import { fail, ok, show, type Parsed } from "./parsed.ts";

const EXPLICIT_PORT = /:(\d+)\/?$/;

/**
 * An etcd member URL, `http(s)://host:port`, returned with its port spelled out even when it is the
 * scheme's default (the gRPC client needs it). etcd has no port a URL scheme could imply, so the
 * port is required. Shared by `discovery.etcd.endpoints` and `traceway register --etcd`.
 */
export function parseEtcdEndpoint(input: unknown): Parsed<string> {
  if (typeof input !== "string") {
    return fail(`expected a URL such as "http://127.0.0.1:2379", got ${show(input)}`);
  }
  if (!input.includes("://")) {
    return fail(`invalid URL ${show(input)}: give the scheme, e.g. "http://${input}"`);
  }
  const parsed = parseBackendUrl(input);
  if (!parsed.ok) return fail(parsed.message.replace("backends are origins", "etcd endpoints are origins"));
  const port = EXPLICIT_PORT.exec(input)?.[1];
  if (port === undefined)
    return fail(`invalid URL ${show(input)}: name the port, e.g. "http://127.0.0.1:2379"`);
  const url = new URL(parsed.value);
  return ok(`${url.protocol}//${url.hostname}:${port}`);
}
