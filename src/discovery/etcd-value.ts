import { parseBackendUrl } from "../config/backend-url.ts";
import { DEFAULT_WEIGHT, MAX_WEIGHT } from "../config/defaults.ts";
import { fail, ok, show, type Parsed } from "../config/parsed.ts";
import type { EtcdValueFormat } from "../config/types.ts";

/** One backend read from an etcd value. */
export interface DiscoveredBackend {
  /** Origin, `scheme://host:port`: the backend's identity in the pool. */
  readonly url: string;
  readonly weight: number;
  readonly backup: boolean;
  /** Whatever the service registered beside its address (version, zone, ...); never a metric label. */
  readonly metadata: Readonly<Record<string, unknown>>;
}

const NO_METADATA: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * Reads one etcd value as a backend.
 *
 * - `etcd-endpoints`: the JSON etcd's Go naming package writes (`go.etcd.io/etcd/client/v3/naming/endpoints`,
 *   read by gRPC's etcd resolver): `{"Addr":"host:port","Metadata":…}`, and the older
 *   `clientv3/naming` form with `"Op":0`. An `Addr` without a scheme is plain HTTP. Optional
 *   `Metadata.weight` and `Metadata.backup` are honoured, so gRPC-style registrations can be weighted.
 * - `traceway`: `{"url":"http://host:port","weight":3,"backup":false,"metadata":{…}}`.
 * - `auto`: whichever of the two the value is (`Addr` or `url`).
 */
export function parseEtcdValue(format: EtcdValueFormat, raw: Buffer | string): Parsed<DiscoveredBackend> {
  let json: unknown;
  try {
    json = JSON.parse(typeof raw === "string" ? raw : raw.toString("utf8"));
  } catch {
    return fail(`not JSON: ${show(typeof raw === "string" ? raw : raw.toString("utf8"))}`);
  }
  if (!isRecord(json)) return fail(`expected a JSON object, got ${show(json)}`);
  const shape = "Addr" in json ? "etcd-endpoints" : "url" in json ? "traceway" : undefined;
  if (format === "auto") {
    if (shape === undefined)
      return fail(`expected an object with "Addr" (etcd-endpoints) or "url" (traceway)`);
    return shape === "etcd-endpoints" ? fromEndpoint(json) : fromTraceway(json);
  }
  return format === "etcd-endpoints" ? fromEndpoint(json) : fromTraceway(json);
}

function fromEndpoint(json: Record<string, unknown>): Parsed<DiscoveredBackend> {
  // clientv3/naming wrote {"Op":0,...} for an add; a stored "delete" update is not a backend.
  if (json.Op !== undefined && json.Op !== 0)
    return fail(`"Op" is ${show(json.Op)}; only 0 (add) is a backend`);
  const addr = json.Addr;
  if (typeof addr !== "string" || addr === "") return fail(`"Addr" must be "host:port", got ${show(addr)}`);
  const url = parseBackendUrl(addr.includes("://") ? addr : `http://${addr}`);
  if (!url.ok) return fail(`"Addr": ${url.message}`);
  const metadata = json.Metadata ?? null;
  const meta = isRecord(metadata) ? metadata : NO_METADATA;
  const weight = parseWeight(meta.weight, '"Metadata.weight"');
  if (!weight.ok) return weight;
  const backup = parseBackup(meta.backup, '"Metadata.backup"');
  if (!backup.ok) return backup;
  // Non-object metadata (gRPC allows any JSON) is kept under "value" rather than dropped.
  const kept = metadata === null ? NO_METADATA : isRecord(metadata) ? metadata : { value: metadata };
  return ok({ url: url.value, weight: weight.value, backup: backup.value, metadata: kept });
}

function fromTraceway(json: Record<string, unknown>): Parsed<DiscoveredBackend> {
  const unknown = Object.keys(json).filter((k) => !TRACEWAY_KEYS.has(k));
  if (unknown.length > 0)
    return fail(`unknown key ${show(unknown[0])}; known: url, weight, backup, metadata`);
  const url = parseBackendUrl(json.url);
  if (!url.ok) return fail(`"url": ${url.message}`);
  const weight = parseWeight(json.weight, '"weight"');
  if (!weight.ok) return weight;
  const backup = parseBackup(json.backup, '"backup"');
  if (!backup.ok) return backup;
  const metadata = json.metadata;
  if (metadata !== undefined && !isRecord(metadata))
    return fail(`"metadata" must be an object, got ${show(metadata)}`);
  return ok({
    url: url.value,
    weight: weight.value,
    backup: backup.value,
    metadata: metadata ?? NO_METADATA,
  });
}

const TRACEWAY_KEYS = new Set(["url", "weight", "backup", "metadata"]);

function parseWeight(input: unknown, name: string): Parsed<number> {
  if (input === undefined) return ok(DEFAULT_WEIGHT);
  if (typeof input !== "number" || !Number.isInteger(input) || input < 1 || input > MAX_WEIGHT) {
    return fail(`${name} must be a whole number 1..${MAX_WEIGHT}, got ${show(input)}`);
  }
  return ok(input);
}

function parseBackup(input: unknown, name: string): Parsed<boolean> {
  if (input === undefined) return ok(false);
  if (typeof input !== "boolean") return fail(`${name} must be true or false, got ${show(input)}`);
  return ok(input);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}
