import type { Backend } from "../pool/backend.ts";
import type { LatencySummary } from "../pool/latency-summary.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { BackendLoadView, BalancerControl } from "../server/balancer.ts";
import type { FoundBackend } from "../upstream/control-commands.ts";
import type { Upstream } from "../upstream/upstream.ts";
import {
  RECENT_SECONDS,
  type BackendState,
  type BackendView,
  type UpstreamView,
  type WindowStats,
} from "./api-types.ts";

/** What every view of one moment shares: the clocks, read once. */
interface Moment {
  readonly control: BalancerControl;
  /** Monotonic ms (what the windows and ejections are recorded on). */
  readonly mono: number;
  /** Wall-clock ms. */
  readonly wall: number;
}

function momentOf(control: BalancerControl): Moment {
  return { control, mono: control.clock.now(), wall: control.now() };
}

/** Every upstream as `GET /api/v1/upstreams` shows it. */
export function upstreamViews(control: BalancerControl): UpstreamView[] {
  const moment = momentOf(control);
  return [...control.upstreams().values()].map((u) => viewOf(u, moment));
}

export function upstreamView(control: BalancerControl, upstream: Upstream): UpstreamView {
  return viewOf(upstream, momentOf(control));
}

export function backendView(control: BalancerControl, upstream: Upstream, found: FoundBackend): BackendView {
  const moment = momentOf(control);
  return backendOf(found.backend, found.role, found.pool, sideShares(upstream)[found.role], upstream, moment);
}

function viewOf(upstream: Upstream, moment: Moment): UpstreamView {
  const shares = sideShares(upstream);
  const backends = upstream.pool.backends.map((b) =>
    backendOf(b, "stable", upstream.pool, shares.stable, upstream, moment),
  );
  const canary = upstream.canary;
  if (canary) {
    for (const b of canary.pool.backends)
      backends.push(backendOf(b, "canary", canary.pool, shares.canary, upstream, moment));
  }
  const controllers = moment.control.canaries;
  return {
    name: upstream.name,
    strategy: upstream.config.strategy,
    discovery: moment.control.discoveryOf(upstream.name),
    backends,
    canary: controllers.has(upstream.name) ? controllers.get(upstream.name).view() : null,
  };
}

/** The fraction of new requests each side gets: the canary's share while it has candidates. */
function sideShares(upstream: Upstream): { stable: number; canary: number } {
  const split = upstream.canary;
  const canary = split && split.pool.candidates().length > 0 ? split.share / 100 : 0;
  return { stable: upstream.pool.candidates().length > 0 ? 1 - canary : 0, canary };
}

function backendOf(
  b: Backend,
  role: "stable" | "canary",
  pool: UpstreamPool,
  sideShare: number,
  upstream: Upstream,
  moment: Moment,
): BackendView {
  const ejected = b.ejectedUntil > moment.mono;
  // A multi-worker primary serves no traffic: its workers' measurements stand in for its own.
  const load = moment.control.loadOf?.(upstream.name, b.id) ?? loadOf(b, moment.mono);
  const { recent } = load;
  return {
    id: b.id,
    name: b.label,
    role,
    source: b.source,
    metadata: b.metadata,
    backup: b.backup,
    weight: b.weight,
    effectiveWeight: b.effectiveWeight,
    trafficShare: shareOf(b, pool, sideShare),
    state: stateOf(b, ejected),
    health: {
      active: upstream.config.healthCheck.enabled ? (b.activeUp ? "up" : "down") : "off",
      passive: ejected ? "ejected" : "ok",
      ejectedUntil: ejected ? new Date(moment.wall + (b.ejectedUntil - moment.mono)).toISOString() : null,
    },
    override: b.override === undefined ? null : { ...b.override },
    inFlight: load.inFlight,
    rps: recent.requests / RECENT_SECONDS,
    p99Ms: round(recent.quantile(0.99)),
    lastMinute: windowStats(load.lastMinute),
  };
}

/** A backend's traffic as this process measured it, `mono` ms into its clock. */
export function loadOf(b: Backend, mono: number): BackendLoadView {
  return {
    inFlight: b.inFlight,
    recent: b.stats.last(mono, RECENT_SECONDS, false),
    // The last 59 whole seconds and the current one.
    lastMinute: b.stats.last(mono, 59, true),
  };
}

function stateOf(b: Backend, ejected: boolean): BackendState {
  if (b.override?.enabled === false) return "disabled";
  if (b.override?.draining === true || b.override?.weight === 0) return "draining";
  if (!b.activeUp) return "down";
  return ejected ? "ejected" : "up";
}

/** This backend's part of its side's share, by effective weight among the side's candidates. */
function shareOf(b: Backend, pool: UpstreamPool, sideShare: number): number {
  const candidates = pool.candidates();
  if (sideShare === 0 || !candidates.includes(b)) return 0;
  let total = 0;
  for (const c of candidates) total += c.effectiveWeight;
  return total === 0 ? 0 : (sideShare * b.effectiveWeight) / total;
}

export function windowStats(s: LatencySummary): WindowStats {
  return {
    requests: s.requests,
    errors: s.errors,
    errorRate: s.errorRate(),
    p50Ms: round(s.quantile(0.5)),
    p99Ms: round(s.quantile(0.99)),
  };
}

/** Milliseconds to 0.1 ms: finer is noise from bucket interpolation. */
function round(ms: number | null): number | null {
  return ms === null ? null : Math.round(ms * 10) / 10;
}
