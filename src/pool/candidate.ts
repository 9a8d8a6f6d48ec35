/**
 * What a strategy needs to know about a backend. The pool owns the type because the pool makes
 * candidates: a strategy only ever sees the list the pool computed, never health or overrides.
 */
export interface Candidate {
  /** Stable identity (the backend origin). */
  readonly id: string;
  /** Effective weight right now (admin override and slow start already applied), > 0. */
  readonly effectiveWeight: number;
  /** Requests currently in flight to this backend. */
  readonly inFlight: number;
}
