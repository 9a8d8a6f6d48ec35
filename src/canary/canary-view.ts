/**
 * What a canary run looks like from outside: its phase, step, analyses and transitions. The
 * admin API sends these as they are (src/admin/api-types.ts re-exports them); the state store
 * keeps the same records, so a restarted balancer shows the history it had.
 */

/** Where a canary is in its run. */
export type CanaryPhase =
  /** Analysing each interval; a pass moves to the next step. */
  | "progressing"
  /** An operator paused it: the share stays, analysis goes on and a failure still rolls back. */
  | "paused"
  /** The last step passed and `confirmPromotion` is set: waits for `POST .../promote`; a failure still rolls back. */
  | "awaiting_promotion"
  /** The canary's backends are the stable set: all traffic goes to them. */
  | "promoted"
  /** Share 0 after failed analyses or an abort; in-flight requests finish. */
  | "rolled_back"
  /** Share 0: not enough traffic to decide within `maxIdleIntervals`; never promoted on missing data. */
  | "halted";

/** One metric an analysis checked. */
export interface AnalysisCheck {
  /** `p99`, `error_rate`, or the name of a configured Prometheus metric. */
  readonly name: string;
  /** null: no data (too few requests, or the query returned nothing or failed). */
  readonly value: number | null;
  readonly min?: number;
  readonly max?: number;
  /** null when there was no data to judge. */
  readonly ok: boolean | null;
  /** Why there is no value (a failed query), when that is the case. */
  readonly error?: string;
}

export type AnalysisVerdict = "pass" | "fail" | "no_data";

/** One interval's analysis. */
export interface AnalysisView {
  readonly at: string;
  /** Step index (0-based) and its share in percent while the interval ran. */
  readonly step: number;
  readonly share: number;
  readonly verdict: AnalysisVerdict;
  /** Canary requests finished in the interval, over all canary backends. */
  readonly requests: number;
  readonly errors: number;
  readonly errorRate: number | null;
  readonly p99Ms: number | null;
  readonly checks: readonly AnalysisCheck[];
  /** One line: `p99 2503ms > 2000ms`, `12 requests < minRequests 50`. */
  readonly reason: string;
}

export interface TransitionView {
  readonly at: string;
  readonly from: CanaryPhase;
  readonly to: CanaryPhase;
  readonly step: number;
  readonly share: number;
  readonly reason: string;
  /** `analysis`, `config`, `restart`, or the name of the admin token that asked. */
  readonly by: string;
}

/** `GET /api/v1/upstreams/{upstream}/canary`, and the answer to every canary POST. */
export interface CanaryView {
  readonly upstream: string;
  readonly phase: CanaryPhase;
  /** Index into `steps` of the current step. */
  readonly step: number;
  readonly steps: readonly number[];
  /** Percent of the upstream's new requests sent to the canary now. */
  readonly share: number;
  /** The canary set: `backends` from the config, or a metadata selector over discovery. */
  readonly selector: { readonly metadata: Readonly<Record<string, string>> } | null;
  readonly intervalMs: number;
  readonly failures: number;
  readonly failureLimit: number;
  /** Consecutive intervals without enough data to decide. */
  readonly idleIntervals: number;
  readonly maxIdleIntervals: number;
  readonly thresholds: {
    readonly maxP99Ms: number;
    readonly maxErrorRate: number;
    readonly minRequests: number;
  };
  readonly stickiness: { readonly cookie: string } | null;
  /** Request header that forces a side (`canary`/`always` or `stable`/`never`); null when off. */
  readonly header: string | null;
  readonly confirmPromotion: boolean;
  /** When the running interval's analysis is due; null in a phase without analysis. */
  readonly nextAnalysisAt: string | null;
  readonly startedAt: string;
  readonly updatedAt: string;
  /** Why the canary is in this phase. */
  readonly reason: string;
  /** Latest first, at most {@link HISTORY_LENGTH}. */
  readonly analyses: readonly AnalysisView[];
  /** Latest first, at most {@link HISTORY_LENGTH}. */
  readonly transitions: readonly TransitionView[];
}

/** How many analyses and transitions a canary keeps for the API. */
export const HISTORY_LENGTH = 20;
