import { TracewayError } from "../errors.ts";
import type { Backend, BackendOverride } from "../pool/backend.ts";
import { MAX_WEIGHT } from "../config/defaults.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { Upstream } from "./upstream.ts";

/**
 * Every runtime change to the data path, as plain data: an operator's backend change, or a
 * canary's new share. The admin API and the canary controller only ever produce these, and
 * {@link executeCommand} is the one place that applies them, so a process that runs the data path
 * elsewhere (a worker) can take the same commands from the process that decided them.
 */
export type ControlCommand =
  | {
      readonly kind: "backend.patch";
      readonly upstream: string;
      /** `host:port` or origin. */
      readonly backend: string;
      readonly patch: BackendOverride;
    }
  | { readonly kind: "backend.reset"; readonly upstream: string; readonly backend: string }
  | {
      readonly kind: "canary.split";
      readonly upstream: string;
      readonly share: number;
      readonly runTag: string;
    };

/** A backend found in an upstream, with the pool (side) it belongs to. */
export interface FoundBackend {
  readonly backend: Backend;
  readonly pool: UpstreamPool;
  readonly role: "stable" | "canary";
}

/** Looks up an upstream or throws `UNKNOWN_UPSTREAM` naming the known ones. */
export function upstreamNamed(upstreams: ReadonlyMap<string, Upstream>, name: string): Upstream {
  const upstream = upstreams.get(name);
  if (upstream) return upstream;
  throw new TracewayError(
    "UNKNOWN_UPSTREAM",
    `unknown upstream ${JSON.stringify(name)}; known upstreams: ${[...upstreams.keys()].join(", ")}`,
  );
}

/** Looks up a backend by `host:port` or origin on either side, or throws `UNKNOWN_BACKEND` naming the members. */
export function backendNamed(upstream: Upstream, key: string): FoundBackend {
  const sides: [UpstreamPool, "stable" | "canary"][] = [[upstream.pool, "stable"]];
  if (upstream.canary) sides.push([upstream.canary.pool, "canary"]);
  for (const [pool, role] of sides) {
    for (const backend of pool.backends) {
      if (backend.label === key || backend.id === key) return { backend, pool, role };
    }
  }
  const names = sides.flatMap(([pool]) => pool.backends.map((b) => b.label));
  throw new TracewayError(
    "UNKNOWN_BACKEND",
    `upstream ${JSON.stringify(upstream.name)} has no backend ${JSON.stringify(key)}; its backends: ${names.join(", ") || "none"}`,
  );
}

/**
 * Applies one command to the current upstream views, all of it or nothing: every lookup and check
 * runs before the single change is made. Throws a `TracewayError` (unknown upstream or backend,
 * no canary, a value out of range) and then has changed nothing.
 */
export function executeCommand(upstreams: ReadonlyMap<string, Upstream>, command: ControlCommand): void {
  const upstream = upstreamNamed(upstreams, command.upstream);
  switch (command.kind) {
    case "backend.patch": {
      const { backend, pool } = backendNamed(upstream, command.backend);
      const weight = command.patch.weight;
      if (weight !== undefined && !(Number.isInteger(weight) && weight >= 0 && weight <= MAX_WEIGHT)) {
        throw new TracewayError(
          "ADMIN_BAD_INPUT",
          `weight must be a whole number 0..${MAX_WEIGHT}, got ${weight}`,
        );
      }
      pool.setOverride(backend, mergeOverride(backend.override, command.patch));
      return;
    }
    case "backend.reset": {
      const { backend, pool } = backendNamed(upstream, command.backend);
      pool.setOverride(backend, undefined);
      return;
    }
    case "canary.split": {
      if (!upstream.canary) {
        throw new TracewayError("NO_CANARY", `upstream ${JSON.stringify(upstream.name)} has no canary`);
      }
      upstream.canary.setState({ share: command.share, runTag: command.runTag });
      return;
    }
  }
}

/**
 * The override after `patch`: keys given replace those in force; `draining: false` and
 * `enabled: true` are the defaults and drop out, so a backend put back has no override left.
 */
export function mergeOverride(
  current: BackendOverride | undefined,
  patch: BackendOverride,
): BackendOverride | undefined {
  const merged = { ...current, ...patch };
  const out: { weight?: number; draining?: boolean; enabled?: boolean } = {};
  if (merged.weight !== undefined) out.weight = merged.weight;
  if (merged.draining === true) out.draining = true;
  if (merged.enabled === false) out.enabled = false;
  return Object.keys(out).length === 0 ? undefined : out;
}
