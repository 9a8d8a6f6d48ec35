import type { Candidate } from "../strategies/strategy.ts";

/** How a backend is declared (config file, etcd, admin API). */
export interface BackendSpec {
  readonly url: string;
  readonly weight: number;
  readonly backup: boolean;
}

/**
 * One upstream server and its live state. Identity is the origin (scheme://host:port), so a
 * reload that keeps the origin keeps the health state.
 */
export class Backend implements Candidate {
  readonly id: string;
  /** `host:port`: the bounded metric label for this backend. */
  readonly label: string;
  readonly url: URL;
  weight: number;
  backup: boolean;
  /** Weight after slow start; the pool keeps it current. */
  effectiveWeight: number;
  inFlight = 0;
  /** Latest verdict of the active checker (true until a checker says otherwise). */
  activeUp = true;
  /** Set by passive health: until this clock time the backend receives no traffic. */
  ejectedUntil = 0;
  /** Clock time the backend last came (back) up, for slow start. */
  upSince = 0;

  constructor(spec: BackendSpec) {
    this.url = new URL(spec.url);
    this.id = this.url.origin;
    this.label = this.url.host;
    this.weight = spec.weight;
    this.effectiveWeight = spec.weight;
    this.backup = spec.backup;
  }
}
