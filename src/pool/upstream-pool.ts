import type { BackendSpec } from "../config/types.ts";
import type { Clock } from "../shared/clock.ts";
import { Backend, type BackendOverride } from "./backend.ts";

/** Who may change a backend's status: health checkers know only this. */
export interface StatusSetter {
  /** Active health verdict. */
  setActiveStatus(backend: Backend, up: boolean): void;
  /** Passive ejection until `untilMs` (clock time); 0 lifts it. */
  eject(backend: Backend, untilMs: number): void;
}

export interface PoolOptions {
  readonly clock: Clock;
  /** Ramp time for a backend that (re)joins; 0 disables slow start. */
  readonly slowStartMs: number;
  /** When nothing is healthy, offer every backend instead of none (opt-in, like Envoy's panic mode). */
  readonly panicMode: boolean;
}

export type PoolChange =
  | { readonly type: "status"; readonly backend: Backend; readonly up: boolean }
  | { readonly type: "members"; readonly added: readonly Backend[]; readonly removed: readonly Backend[] }
  | { readonly type: "override"; readonly backend: Backend };

/**
 * The backends of one upstream and which of them may take traffic. Members come from discovery
 * snapshots ({@link reconcile}); candidate lists are computed on change, not per request.
 */
export class UpstreamPool implements StatusSetter {
  readonly name: string;
  #backends: Backend[] = [];
  #candidates: readonly Backend[] = [];
  #opts: PoolOptions;
  #listeners = new Set<(change: PoolChange) => void>();
  /** Earliest time an ejection or slow start ramp needs the candidate list recomputed. */
  #nextRecomputeAt = Infinity;
  /** False until the first snapshot: its members are the start-up set. */
  #seeded = false;

  /**
   * `specs` is the first snapshot when the caller has it; `undefined` leaves the pool empty (every
   * request answered 503) until discovery delivers one.
   */
  constructor(name: string, specs: readonly BackendSpec[] | undefined, opts: PoolOptions) {
    this.name = name;
    this.#opts = opts;
    if (specs !== undefined) this.reconcile(specs);
  }

  /** New slow-start / panic settings from a reload. */
  configure(opts: PoolOptions): void {
    this.#opts = opts;
    this.#recompute();
  }

  get backends(): readonly Backend[] {
    return this.#backends;
  }

  /** Backends that may take a new request now. Empty means: answer 503. */
  candidates(): readonly Backend[] {
    if (this.#opts.clock.now() >= this.#nextRecomputeAt) this.#recompute();
    return this.#candidates;
  }

  isUp(backend: Backend): boolean {
    return backend.activeUp && backend.ejectedUntil <= this.#opts.clock.now();
  }

  setActiveStatus(backend: Backend, up: boolean): void {
    if (backend.activeUp === up) return;
    const wasUp = this.isUp(backend);
    backend.activeUp = up;
    this.#afterStatusChange(backend, wasUp);
  }

  eject(backend: Backend, untilMs: number): void {
    const wasUp = this.isUp(backend);
    backend.ejectedUntil = untilMs;
    this.#afterStatusChange(backend, wasUp);
  }

  /**
   * Takes a discovery snapshot: the full member set. Backends whose origin is unchanged keep their
   * health, in-flight count and strategy state; removed ones get no new requests (those in flight
   * finish on the object they hold); added ones ramp up through slow start, except in the first
   * snapshot (nginx applies slow start to servers that recover, not to those present at start-up).
   * A declaration that changed clears the backend's operator override. A snapshot with a malformed
   * URL throws and changes nothing.
   */
  reconcile(specs: readonly BackendSpec[]): void {
    // Parsed first: a malformed URL throws here, before anything changes.
    const incoming = specs.map((spec) => new Backend(spec));
    const byId = new Map(this.#backends.map((b) => [b.id, b]));
    const joinedAt = this.#seeded ? this.#opts.clock.now() : -Infinity;
    this.#seeded = true;
    const next: Backend[] = [];
    const added: Backend[] = [];
    // Two etcd keys may name one origin: the first declaration wins, as config validation demands.
    const seen = new Set<string>();
    for (const [i, fresh] of incoming.entries()) {
      const spec = specs[i] as BackendSpec;
      if (seen.has(fresh.id)) continue;
      seen.add(fresh.id);
      const existing = byId.get(fresh.id);
      if (existing) {
        if (existing.redeclare(spec)) existing.override = undefined;
        byId.delete(fresh.id);
        next.push(existing);
      } else {
        fresh.upSince = joinedAt;
        next.push(fresh);
        added.push(fresh);
      }
    }
    const removed = [...byId.values()];
    this.#backends = next;
    this.#recompute();
    if (added.length > 0 || removed.length > 0) this.#emit({ type: "members", added, removed });
  }

  /**
   * Sets (or, with `undefined`, clears) an operator's override of one member: the admin API's
   * seam. Returns false when `backend` is not a member (it left with a snapshot).
   */
  setOverride(backend: Backend, override: BackendOverride | undefined): boolean {
    if (!this.#backends.includes(backend)) return false;
    backend.override = override;
    this.#recompute();
    this.#emit({ type: "override", backend });
    return true;
  }

  onChange(listener: (change: PoolChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #afterStatusChange(backend: Backend, wasUp: boolean): void {
    const up = this.isUp(backend);
    if (up && !wasUp) backend.upSince = this.#opts.clock.now();
    this.#recompute();
    if (up !== wasUp) this.#emit({ type: "status", backend, up });
  }

  #recompute(): void {
    const now = this.#opts.clock.now();
    const { slowStartMs } = this.#opts;
    let nextAt = Infinity;
    const primaries: Backend[] = [];
    const backups: Backend[] = [];
    let rejoined: Backend[] | undefined;
    for (const b of this.#backends) {
      if (b.ejectedUntil > now) {
        nextAt = Math.min(nextAt, b.ejectedUntil);
      } else if (b.ejectedUntil !== 0) {
        // Ejection expired: the backend rejoins and ramps like any recovered backend.
        b.ejectedUntil = 0;
        b.upSince = now;
        if (b.activeUp) (rejoined ??= []).push(b);
      }
      const weight = b.override?.weight ?? b.weight;
      b.effectiveWeight = weight;
      if (slowStartMs > 0) {
        const age = now - b.upSince;
        if (age < slowStartMs) {
          // nginx slow_start: weight grows linearly from ~0 to full; never 0 so it is still picked.
          b.effectiveWeight = Math.max(weight * (age / slowStartMs), weight / 100);
          nextAt = Math.min(nextAt, now + Math.min(1000, slowStartMs - age));
        }
      }
      if (b.heldOut || !this.isUp(b)) continue;
      (b.backup ? backups : primaries).push(b);
    }
    this.#nextRecomputeAt = nextAt;
    if (primaries.length > 0) this.#candidates = primaries;
    else if (backups.length > 0) this.#candidates = backups;
    else if (!this.#opts.panicMode) this.#candidates = [];
    else {
      // Panic mode overrides health, never an operator: drained backends stay out.
      const inService = this.#backends.filter((b) => !b.heldOut);
      const allPrimaries = inService.filter((b) => !b.backup);
      this.#candidates = allPrimaries.length > 0 ? allPrimaries : inService;
    }
    if (rejoined) for (const backend of rejoined) this.#emit({ type: "status", backend, up: true });
  }

  #emit(change: PoolChange): void {
    for (const listener of this.#listeners) listener(change);
  }
}
