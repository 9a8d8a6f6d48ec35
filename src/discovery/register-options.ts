import { parseBackendUrl, parseHttpUrl } from "../config/backend-url.ts";
import { MAX_WEIGHT } from "../config/defaults.ts";
import { parseDuration } from "../config/duration.ts";
import { parseEtcdEndpoint } from "../config/etcd-endpoint.ts";
import { fail, ok, show, type Parsed } from "../config/parsed.ts";

/** `traceway register`'s flags as commander hands them over: strings, unchecked. */
export interface RegisterFlags {
  readonly etcd?: string;
  readonly prefix?: string;
  readonly url?: string;
  readonly id?: string;
  readonly ttl?: string;
  readonly health?: string;
  readonly healthInterval?: string;
  readonly healthTimeout?: string;
  readonly unhealthyThreshold?: string;
  readonly healthyThreshold?: string;
  readonly weight?: string;
  readonly backup?: boolean;
  readonly metadata?: readonly string[];
  readonly format?: string;
  readonly user?: string;
  readonly cacert?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly dialTimeout?: string;
}

export type RegisterFormat = "traceway" | "etcd-endpoints";

/** A checked registration: what to write where, and how to keep it honest. */
export interface RegisterOptions {
  readonly endpoints: readonly string[];
  /** `prefix + id`. */
  readonly key: string;
  /** The value written under `key`, in `format`. */
  readonly value: string;
  readonly url: string;
  readonly ttlSeconds: number;
  readonly health: RegisterHealthOptions | undefined;
  readonly auth: { readonly username: string; readonly password: string } | undefined;
  readonly tls: { readonly ca?: string; readonly cert?: string; readonly key?: string } | undefined;
  readonly dialTimeoutMs: number;
}

export interface RegisterHealthOptions {
  readonly url: URL;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  /** Consecutive failed probes that take the registration out. */
  readonly unhealthyThreshold: number;
  /** Consecutive passing probes that put it back. */
  readonly healthyThreshold: number;
}

// The balancer's own defaults where they exist (healthCheck), etcdctl's for the dial timeout.
export const REGISTER_DEFAULT_TTL = "10s";
export const REGISTER_DEFAULT_HEALTH_INTERVAL = "2s";
export const REGISTER_DEFAULT_HEALTH_TIMEOUT = "1s";
export const REGISTER_DEFAULT_UNHEALTHY_THRESHOLD = "3";
export const REGISTER_DEFAULT_HEALTHY_THRESHOLD = "2";
export const REGISTER_DEFAULT_DIAL_TIMEOUT = "2s";

/**
 * Checks every flag and builds the registration. The first problem is returned as one line that
 * names the flag (`--ttl: must be whole seconds, got "500ms"`); the CLI prints it and exits 2.
 */
export function parseRegisterFlags(flags: RegisterFlags): Parsed<RegisterOptions> {
  try {
    return ok(build(flags));
  } catch (error) {
    if (error instanceof FlagError) return fail(error.message);
    throw error;
  }
}

class FlagError extends Error {}

function need<T>(flag: string, parsed: Parsed<T>): T {
  if (!parsed.ok) throw new FlagError(`${flag}: ${parsed.message}`);
  return parsed.value;
}

function required(flag: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new FlagError(`${flag} is required`);
  return value;
}

function build(flags: RegisterFlags): RegisterOptions {
  const endpoints = required("--etcd", flags.etcd)
    .split(",")
    .map((e) => need("--etcd", parseEtcdEndpoint(e.trim())));
  if (new Set(endpoints.map((e) => e.startsWith("https:"))).size > 1) {
    throw new FlagError("--etcd: mixes http and https; use one scheme for every member");
  }
  const prefix = required("--prefix", flags.prefix);
  if (!prefix.endsWith("/"))
    throw new FlagError(`--prefix: must end with "/" (the key is PREFIX + ID), got ${show(prefix)}`);
  const url = need("--url", parseBackendUrl(required("--url", flags.url)));
  const id = flags.id ?? new URL(url).host;
  if (id === "" || id.includes("/"))
    throw new FlagError(`--id: must be non-empty and without "/", got ${show(id)}`);
  const format = flags.format ?? "traceway";
  if (format !== "traceway" && format !== "etcd-endpoints") {
    throw new FlagError(`--format: unknown format ${show(format)}; valid: traceway, etcd-endpoints`);
  }
  const weight = integer("--weight", flags.weight ?? "1", 1, MAX_WEIGHT);
  const metadata = parseMetadata(flags.metadata ?? []);
  const backup = flags.backup === true;
  return {
    endpoints,
    key: `${prefix}${id}`,
    value: registrationValue(format, { url, weight, backup, metadata }),
    url,
    ttlSeconds: ttlSeconds(flags.ttl ?? REGISTER_DEFAULT_TTL),
    health: flags.health === undefined ? undefined : health(flags, flags.health),
    auth: flags.user === undefined ? undefined : parseUser(flags.user),
    tls: tls(flags, endpoints),
    dialTimeoutMs: duration("--dial-timeout", flags.dialTimeout ?? REGISTER_DEFAULT_DIAL_TIMEOUT, 1),
  };
}

/** The value in either format the balancer reads; etcd-endpoints carries weight and backup in Metadata. */
export function registrationValue(
  format: RegisterFormat,
  r: { url: string; weight: number; backup: boolean; metadata: Readonly<Record<string, string>> },
): string {
  if (format === "traceway") {
    return JSON.stringify({ url: r.url, weight: r.weight, backup: r.backup, metadata: r.metadata });
  }
  const origin = new URL(r.url);
  // etcd's naming package writes a bare host:port; keep the scheme only when it is not plain HTTP.
  const addr = origin.protocol === "http:" ? origin.host : r.url;
  const metadata: Record<string, unknown> = { ...r.metadata };
  if (r.weight !== 1) metadata.weight = r.weight;
  if (r.backup) metadata.backup = true;
  return JSON.stringify({ Op: 0, Addr: addr, Metadata: metadata });
}

function health(flags: RegisterFlags, url: string): RegisterHealthOptions {
  const intervalMs = duration(
    "--health-interval",
    flags.healthInterval ?? REGISTER_DEFAULT_HEALTH_INTERVAL,
    1,
  );
  const timeoutMs = duration("--health-timeout", flags.healthTimeout ?? REGISTER_DEFAULT_HEALTH_TIMEOUT, 1);
  return {
    url: need("--health", parseHttpUrl(url, "the health check speaks HTTP: use http or https")),
    intervalMs,
    timeoutMs,
    unhealthyThreshold: integer(
      "--unhealthy-threshold",
      flags.unhealthyThreshold ?? REGISTER_DEFAULT_UNHEALTHY_THRESHOLD,
      1,
      1000,
    ),
    healthyThreshold: integer(
      "--healthy-threshold",
      flags.healthyThreshold ?? REGISTER_DEFAULT_HEALTHY_THRESHOLD,
      1,
      1000,
    ),
  };
}

function tls(flags: RegisterFlags, endpoints: readonly string[]): RegisterOptions["tls"] {
  if (flags.cacert === undefined && flags.cert === undefined && flags.key === undefined) return undefined;
  if (!endpoints[0]?.startsWith("https:"))
    throw new FlagError("--cacert/--cert/--key need https:// --etcd endpoints");
  if ((flags.cert === undefined) !== (flags.key === undefined)) {
    throw new FlagError(
      `${flags.cert === undefined ? "--cert" : "--key"} is required with ${flags.cert === undefined ? "--key" : "--cert"}`,
    );
  }
  return {
    ...(flags.cacert === undefined ? {} : { ca: flags.cacert }),
    ...(flags.cert === undefined ? {} : { cert: flags.cert }),
    ...(flags.key === undefined ? {} : { key: flags.key }),
  };
}

/** etcdctl's `--user name:password`. */
function parseUser(user: string): { username: string; password: string } {
  const colon = user.indexOf(":");
  // Never echo the value: it holds a password.
  if (colon <= 0) throw new FlagError('--user: expected NAME:PASSWORD (no ":" or no name)');
  if (colon === user.length - 1) throw new FlagError("--user: the password after the ':' is empty");
  return { username: user.slice(0, colon), password: user.slice(colon + 1) };
}

function parseMetadata(pairs: readonly string[]): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new FlagError(`--metadata: expected KEY=VALUE, got ${show(pair)}`);
    metadata[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return metadata;
}

function ttlSeconds(input: string): number {
  const ms = need("--ttl", parseDuration(input));
  if (ms < 1000 || ms % 1000 !== 0) {
    throw new FlagError(`--ttl: etcd leases last whole seconds, at least 1s; got ${show(input)}`);
  }
  return ms / 1000;
}

function duration(flag: string, input: string, minMs: number): number {
  const ms = need(flag, parseDuration(input));
  if (ms < minMs) throw new FlagError(`${flag}: must be at least ${minMs}ms, got ${show(input)}`);
  return ms;
}

function integer(flag: string, input: string, min: number, max: number): number {
  const n = /^\d+$/.test(input) ? Number(input) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new FlagError(`${flag}: must be a whole number ${min}..${max}, got ${show(input)}`);
  }
  return n;
}
