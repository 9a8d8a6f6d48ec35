/**
 * The admin API's wire format: what `/api/v1` answers and what its event stream sends. These
 * types are the contract the status page and other clients build against; `openapi.ts` states
 * the same shapes as JSON Schema, and a test holds real responses to it.
 *
 * Times are ISO 8601 strings (UTC); durations and latencies are milliseconds; shares are
 * fractions 0..1 except canary steps and `share`, which are percent as in the config.
 */

import type {
  AnalysisView as AnalysisViewBase,
  CanaryView,
  TransitionView as TransitionViewBase,
} from "../canary/canary-view.ts";

export type {
  AnalysisCheck,
  AnalysisVerdict,
  AnalysisView,
  CanaryPhase,
  CanaryView,
  TransitionView,
} from "../canary/canary-view.ts";
export { HISTORY_LENGTH } from "../canary/canary-view.ts";

/** A backend's state in one word, worst first: why it does or does not take new requests. */
export type BackendState = "disabled" | "draining" | "down" | "ejected" | "up";

/** Where a backend is declared. */
export type BackendSourceName = "config" | "etcd" | "admin";

/** Which side of a canary split a backend is on; `stable` when the upstream has no canary. */
export type BackendRole = "stable" | "canary";

/** Requests finished in a time window, measured by traceway itself (telemetry on or off). */
export interface WindowStats {
  readonly requests: number;
  /** 5xx responses and transport errors (connect, reset, timeout). */
  readonly errors: number;
  /** `errors / requests`; null without requests. */
  readonly errorRate: number | null;
  /** Quantiles of the time to the response head, interpolated in fixed buckets; null without requests. */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
}

export interface BackendView {
  /** The origin, `http://127.0.0.1:8001`: the backend's identity. */
  readonly id: string;
  /** `host:port`: the `{backend}` path segment and the metric label. */
  readonly name: string;
  readonly role: BackendRole;
  readonly source: BackendSourceName;
  readonly metadata: Readonly<Record<string, string>>;
  readonly backup: boolean;
  /** The declared weight. */
  readonly weight: number;
  /** The weight picks use now: the operator's override, then slow start. */
  readonly effectiveWeight: number;
  /**
   * Expected share (0..1) of the upstream's new requests this backend gets now: its side's
   * canary share split by effective weight among that side's candidates; 0 when it takes none.
   */
  readonly trafficShare: number;
  readonly state: BackendState;
  readonly health: {
    /** The active checker's verdict; `off` when the upstream has no health checks. */
    readonly active: "up" | "down" | "off";
    /** Passive health: `ejected` until `ejectedUntil`. */
    readonly passive: "ok" | "ejected";
    readonly ejectedUntil: string | null;
  };
  /** The operator's change in force; it holds until a reload or snapshot changes this backend. */
  readonly override: BackendOverrideView | null;
  readonly inFlight: number;
  /** Requests per second over the last {@link RECENT_SECONDS} seconds. */
  readonly rps: number;
  /** p99 over the last {@link RECENT_SECONDS} seconds (the status page's sparkline). */
  readonly p99Ms: number | null;
  readonly lastMinute: WindowStats;
}

/** The window `rps` and the top-level `p99Ms` of a backend cover. */
export const RECENT_SECONDS = 10;

export interface BackendOverrideView {
  readonly weight?: number;
  readonly draining?: boolean;
  readonly enabled?: boolean;
}

export interface UpstreamView {
  readonly name: string;
  readonly strategy: string;
  /** The discovery provider feeding the pool: `static` (the config file) or `etcd`. */
  readonly discovery: string;
  /** Stable backends first, then canary backends. */
  readonly backends: readonly BackendView[];
  readonly canary: CanaryView | null;
}

/** `GET /api/v1/upstreams`. */
export interface UpstreamsResponse {
  readonly upstreams: readonly UpstreamView[];
}

/** `PATCH /api/v1/upstreams/{upstream}/backends/{backend}` body: at least one key. */
export interface BackendPatch {
  /** 0..1000; 0 takes the backend out of rotation like a drain. */
  readonly weight?: number;
  /** true: no new requests, in-flight ones finish; false: back in rotation. */
  readonly drain?: boolean;
  /** false: out of service (maintenance); true: back. */
  readonly enabled?: boolean;
}

/** The answer to a backend PATCH or DELETE of its override. */
export interface BackendChangeResponse {
  readonly backend: BackendView;
  /** What this call changed. */
  readonly applied: BackendPatch | { readonly reset: true };
  /** Until when the change holds (HAProxy's runtime API behaves the same way). */
  readonly holds: string;
}

/** `POST /api/v1/upstreams/{upstream}/canary` body. */
export interface CanaryAction {
  /** pause: hold the step; resume: continue; restart: a new run from the first step. */
  readonly action: "pause" | "resume" | "restart";
}

/** Every error the admin API answers with. */
export interface ErrorBody {
  readonly error: { readonly code: string; readonly message: string };
}

// ---- The event stream: GET /api/v1/events (text/event-stream) ----------------------------------

/** `event: snapshot`, every second and once on connect. */
export interface SnapshotEvent {
  readonly at: string;
  readonly upstreams: readonly UpstreamView[];
}

/** `event: health`: an active health check moved a backend up or down. */
export interface HealthEvent {
  readonly at: string;
  readonly upstream: string;
  readonly backend: string;
  readonly up: boolean;
  readonly reason: string;
}

/** `event: ejection`: passive health ejected a backend. */
export interface EjectionEventView {
  readonly at: string;
  readonly upstream: string;
  readonly backend: string;
  readonly reason: string;
  readonly until: string;
}

/** `event: members`: discovery added or removed backends. */
export interface MembersEvent {
  readonly at: string;
  readonly upstream: string;
  readonly role: BackendRole;
  readonly added: readonly string[];
  readonly removed: readonly string[];
}

/** `event: reload`: a configuration was applied, or a new file was refused (the old one stays). */
export interface ReloadEvent {
  readonly at: string;
  readonly outcome: "applied" | "rejected";
  readonly upstreams: readonly string[];
  /** `key.path: message` lines of a refused file. */
  readonly problems: readonly string[];
}

/** `event: canary`: a canary changed phase or step. */
export interface CanaryTransitionEvent extends TransitionViewBase {
  readonly upstream: string;
}

/** `event: analysis`: a canary interval was analysed. */
export interface CanaryAnalysisEvent extends AnalysisViewBase {
  readonly upstream: string;
  /** Failed analyses so far in this run, after this one. */
  readonly failures: number;
  readonly idleIntervals: number;
}

/** `event: change`: an operator changed something through this API. */
export interface ChangeEvent {
  readonly at: string;
  /** The name of the token that made the change. */
  readonly who: string;
  /** `backend.patch`, `backend.reset`, `canary.pause`, `canary.resume`, `canary.restart`, `canary.promote`, `canary.abort`. */
  readonly action: string;
  readonly upstream: string;
  readonly backend: string | null;
  readonly change: Readonly<Record<string, unknown>>;
}

/** Every event of the stream by its `event:` name. */
export interface StreamEvents {
  readonly snapshot: SnapshotEvent;
  readonly health: HealthEvent;
  readonly ejection: EjectionEventView;
  readonly members: MembersEvent;
  readonly reload: ReloadEvent;
  readonly canary: CanaryTransitionEvent;
  readonly analysis: CanaryAnalysisEvent;
  readonly change: ChangeEvent;
}

export type StreamEventName = keyof StreamEvents;
