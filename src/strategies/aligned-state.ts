import type { Candidate } from "../pool/candidate.ts";

/**
 * One number per candidate (nginx's `current_weight`), kept in a typed array aligned with the
 * candidate array so a pick reads it by index instead of doing a Map lookup per candidate.
 *
 * The pool hands out a new candidate array whenever membership or weights change, so the
 * alignment is redone only when the array identity (or, defensively, its length) changes.
 * Values carry over by id; ids no longer offered are dropped with the old array. For the same
 * reason the weights are snapshotted with the alignment: a pick then loops over two typed
 * arrays instead of loading a property from every candidate object.
 */
export class AlignedState {
  #source: readonly Candidate[] | undefined;
  #values = new Float64Array(0);
  #weights = new Float64Array(0);
  #totalWeight = 0;
  #index = new Map<string, number>();

  /** The values aligned with `candidates`, carried over by id when the array changed. */
  align(candidates: readonly Candidate[]): Float64Array {
    if (candidates === this.#source && candidates.length === this.#values.length) return this.#values;
    const values = new Float64Array(candidates.length);
    const weights = new Float64Array(candidates.length);
    const index = new Map<string, number>();
    let total = 0;
    for (let i = 0; i < candidates.length; i++) {
      const { id, effectiveWeight } = candidates[i]!;
      const old = this.#index.get(id);
      if (old !== undefined) values[i] = this.#values[old]!;
      weights[i] = effectiveWeight;
      total += effectiveWeight;
      index.set(id, i);
    }
    this.#source = candidates;
    this.#values = values;
    this.#weights = weights;
    this.#totalWeight = total;
    this.#index = index;
    return values;
  }

  /** `effectiveWeight` of each candidate of the last `align`, by index. */
  get weights(): Float64Array {
    return this.#weights;
  }

  /** Sum of {@link weights}. */
  get totalWeight(): number {
    return this.#totalWeight;
  }
}
