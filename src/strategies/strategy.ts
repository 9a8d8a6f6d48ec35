import type { Candidate } from "../pool/candidate.ts";
import type { Clock, Random } from "../shared/clock.ts";

/** Per-request input a strategy may use. Built once per request by the proxy. */
export interface PickRequest {
  /** Key for hash strategies (client IP for ip_hash, or the configured hashKey's value). */
  readonly hashKey: string;
}

/** Outcome of one attempt, fed back to strategies that learn (ewma). */
export interface AttemptOutcome {
  /** Time to response headers, or to failure, in ms. */
  readonly latencyMs: number;
  /** True when the attempt failed (connect error, reset, timeout, 5xx counted as failure). */
  readonly failed: boolean;
}

/**
 * A load-balancing strategy: picks one of the candidates it is given.
 * Strategies never probe health; the candidates are already filtered.
 */
export interface Strategy {
  pick<C extends Candidate>(candidates: readonly C[], request: PickRequest): C | undefined;
  /** Optional feedback after each attempt. */
  observe?(candidate: Candidate, outcome: AttemptOutcome): void;
}

/** A backend as declared, in the upstream's order, whether or not it may take traffic now. */
export interface Member {
  readonly id: string;
  /** The declared weight (no slow start, no override). */
  readonly weight: number;
  readonly backup: boolean;
}

export interface StrategyDeps {
  readonly random: Random;
  readonly clock: Clock;
  /**
   * Every member of the upstream, for a strategy whose answer depends on the whole declared list
   * (nginx's `ip_hash` walks it by weight and rehashes past members it may not use). Strategies
   * still pick only among the candidates they are given.
   */
  readonly members?: () => readonly Member[];
}

export type StrategyFactory = (deps: StrategyDeps) => Strategy;
