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

export interface StrategyDeps {
  readonly random: Random;
  readonly clock: Clock;
}

export type StrategyFactory = (deps: StrategyDeps) => Strategy;
