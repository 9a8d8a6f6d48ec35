import type { Clock, Random } from "../shared/clock.ts";
import type { Candidate } from "../pool/candidate.ts";
import type { AttemptOutcome, PickRequest, Strategy, StrategyDeps } from "./strategy.ts";
import { WeightedSampler } from "./weighted-sampler.ts";

/** Tuning for `ewma`; every field has a default. */
export interface EwmaOptions {
  /** Decay time constant τ in ms: a sample's weight falls to 1/e after τ. Default 10 s (Finagle, Linkerd). */
  readonly decayMs?: number;
  /** A failed attempt counts as at least this latency, so failing fast never looks fast. Default 1000 ms. */
  readonly failurePenaltyMs?: number;
  /** Estimate used for unseen backends while no backend has been observed. Default 1 ms. */
  readonly initialLatencyMs?: number;
}

export const DEFAULT_EWMA_DECAY_MS = 10_000;
export const DEFAULT_EWMA_FAILURE_PENALTY_MS = 1_000;
export const DEFAULT_EWMA_INITIAL_LATENCY_MS = 1;

interface LatencyEstimate {
  /** Estimate in ms as of `stamp`. */
  value: number;
  /** Clock time of the last update. */
  stamp: number;
}

/**
 * `ewma`: peak-EWMA, as Finagle's and Linkerd's balancers. Per backend it keeps a latency
 * estimate that decays with time constant τ:
 * - a sample above the current estimate replaces it (peak: react to slowness at once);
 * - a lower sample is blended in with weight `1 − e^(−Δt/τ)` (recover gradually);
 * - with no samples the estimate decays toward 0, so a backend that stopped getting traffic
 *   because it was slow is retried after a while (like tower's peak-EWMA).
 *
 * A failed attempt counts as `max(latencyMs, failurePenaltyMs)`, so a backend that fails in 1 ms
 * does not attract traffic. A backend never observed costs the mean of the current estimates
 * (neutral: it is tried, but not flooded). Cost = estimate × (inFlight + 1) / effectiveWeight.
 *
 * Selection is P2C over the cost (two distinct candidates drawn by weight, tie → first drawn)
 * rather than a full scan: O(log n) per pick and no herding onto the single cheapest backend.
 * State is per backend id; entries for ids no longer offered are pruned when the candidate array changes.
 */
export class PeakEwma implements Strategy {
  readonly #random: Random;
  readonly #clock: Clock;
  readonly #decayMs: number;
  readonly #failurePenaltyMs: number;
  readonly #initialLatencyMs: number;
  readonly #sampler = new WeightedSampler();
  readonly #estimates = new Map<string, LatencyEstimate>();
  #source: readonly Candidate[] | undefined;
  /** Sum of the (undecayed) estimate values, for the neutral cost of unseen backends. */
  #sum = 0;

  constructor(deps: StrategyDeps, options: EwmaOptions = {}) {
    this.#random = deps.random;
    this.#clock = deps.clock;
    this.#decayMs = options.decayMs ?? DEFAULT_EWMA_DECAY_MS;
    this.#failurePenaltyMs = options.failurePenaltyMs ?? DEFAULT_EWMA_FAILURE_PENALTY_MS;
    this.#initialLatencyMs = options.initialLatencyMs ?? DEFAULT_EWMA_INITIAL_LATENCY_MS;
  }

  pick<C extends Candidate>(candidates: readonly C[], _request: PickRequest): C | undefined {
    if (candidates.length <= 1) return candidates[0];
    if (candidates !== this.#source) this.#prune(candidates);
    this.#sampler.sync(candidates);
    const i = this.#sampler.sample(this.#random());
    const j = this.#sampler.sampleOther(i, this.#random());
    const a = candidates[i]!;
    const b = candidates[j]!;
    const now = this.#clock.now();
    return this.#cost(b, now) < this.#cost(a, now) ? b : a;
  }

  observe(candidate: Candidate, outcome: AttemptOutcome): void {
    const now = this.#clock.now();
    const sample = outcome.failed ? Math.max(outcome.latencyMs, this.#failurePenaltyMs) : outcome.latencyMs;
    const estimate = this.#estimates.get(candidate.id);
    if (estimate === undefined) {
      this.#estimates.set(candidate.id, { value: sample, stamp: now });
      this.#sum += sample;
      return;
    }
    const decay = Math.exp(-Math.max(0, now - estimate.stamp) / this.#decayMs);
    const decayed = estimate.value * decay;
    const next = sample > decayed ? sample : decayed + sample * (1 - decay);
    this.#sum += next - estimate.value;
    estimate.value = next;
    estimate.stamp = now;
  }

  /** Current estimate for `id` in ms, decayed to now; undefined when never observed. For tests and debugging. */
  estimate(id: string): number | undefined {
    const e = this.#estimates.get(id);
    return e === undefined ? undefined : this.#decayed(e, this.#clock.now());
  }

  #cost(c: Candidate, now: number): number {
    const e = this.#estimates.get(c.id);
    const latency = e === undefined ? this.#neutral() : this.#decayed(e, now);
    return (latency * (c.inFlight + 1)) / c.effectiveWeight;
  }

  #decayed(e: LatencyEstimate, now: number): number {
    return e.value * Math.exp(-Math.max(0, now - e.stamp) / this.#decayMs);
  }

  #neutral(): number {
    const n = this.#estimates.size;
    return n === 0 ? this.#initialLatencyMs : this.#sum / n;
  }

  /** Drop estimates of backends no longer offered; also resets float drift in the running sum. */
  #prune(candidates: readonly Candidate[]): void {
    this.#source = candidates;
    if (this.#estimates.size === 0) return;
    const offered = new Set<string>();
    for (const c of candidates) offered.add(c.id);
    let sum = 0;
    for (const [id, e] of this.#estimates) {
      if (offered.has(id)) sum += e.value;
      else this.#estimates.delete(id);
    }
    this.#sum = sum;
  }
}

/** Factory for the registry (default tuning). */
export function createEwma(deps: StrategyDeps, options?: EwmaOptions): Strategy {
  return new PeakEwma(deps, options);
}
