import type { BackendSource, BackendSpec } from "../config/types.ts";
import { BackendStats } from "./backend-stats.ts";
import type { Candidate } from "./candidate.ts";

/**
 * A runtime override an operator sets on one backend (the admin API's seam). It holds until a
 * discovery snapshot changes that backend's declaration (weight, backup, metadata), or until it
 * is cleared; the pool recomputes its candidates whenever it changes.
 */
export interface BackendOverride {
  /** Replaces the declared weight (slow start still applies on top); 0 holds the backend out like a drain. */
  readonly weight?: number;
  /** No new requests; the ones in flight finish. Shown as draining, unlike `enabled: false`. */
  readonly draining?: boolean;
  /** `false` takes the backend out of service altogether (maintenance). */
  readonly enabled?: boolean;
}

/**
 * One upstream server and its live state. Identity is the origin (scheme://host:port), so a
 * snapshot or reload that keeps the origin keeps the health state.
 */
export class Backend implements Candidate {
  readonly id: string;
  /** `host:port`: the bounded metric label for this backend. */
  readonly label: string;
  readonly url: URL;
  weight: number;
  backup: boolean;
  source: BackendSource;
  metadata: Readonly<Record<string, string>>;
  /** Set by the pool only (see {@link BackendOverride}); undefined when none is in force. */
  override: BackendOverride | undefined;
  /** Weight after the override and slow start; the pool keeps it current. */
  effectiveWeight: number;
  inFlight = 0;
  /** Latest verdict of the active checker (true until a checker says otherwise). */
  activeUp = true;
  /** Set by passive health: until this clock time the backend receives no traffic. */
  ejectedUntil = 0;
  /** Clock time the backend last came (back) up, for slow start. */
  upSince = 0;
  /** Requests, errors and latency of the attempts it served: the admin API's and canary analysis' numbers. */
  readonly stats = new BackendStats();

  constructor(spec: BackendSpec) {
    this.url = new URL(spec.url);
    this.id = this.url.origin;
    this.label = this.url.host;
    this.weight = spec.weight;
    this.effectiveWeight = spec.weight;
    this.backup = spec.backup;
    this.source = spec.source ?? "config";
    this.metadata = spec.metadata ?? NO_METADATA;
    this.override = undefined;
  }

  /** Takes a new declaration of the same origin; true when it differs from the current one. */
  redeclare(spec: BackendSpec): boolean {
    const metadata = spec.metadata ?? NO_METADATA;
    const changed =
      spec.weight !== this.weight || spec.backup !== this.backup || !sameLabels(metadata, this.metadata);
    this.weight = spec.weight;
    this.backup = spec.backup;
    this.source = spec.source ?? "config";
    this.metadata = metadata;
    return changed;
  }

  /** True when an operator took the backend out of rotation (drain or maintenance). */
  get heldOut(): boolean {
    const o = this.override;
    return o !== undefined && (o.draining === true || o.enabled === false || o.weight === 0);
  }
}

const NO_METADATA: Readonly<Record<string, string>> = Object.freeze({});

function sameLabels(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (a === b) return true;
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
}
