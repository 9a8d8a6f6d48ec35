import type { Candidate } from "./strategy.ts";

/**
 * One number per candidate (nginx's `current_weight`), kept in a typed array aligned with the
 * candidate array so a pick reads it by index instead of doing a Map lookup per candidate.
 *
 * The pool hands out a new candidate array whenever membership or weights change, so the
 * alignment is redone only when the array identity (or, defensively, its length) changes.
 * Values carry over by id; ids no longer offered are dropped with the old array.
 */
export class AlignedState {
  #source: readonly Candidate[] | undefined;
  #values = new Float64Array(0);
  #index = new Map<string, number>();

  /** The values aligned with `candidates`, carried over by id when the array changed. */
  align(candidates: readonly Candidate[]): Float64Array {
    if (candidates === this.#source && candidates.length === this.#values.length) return this.#values;
    const values = new Float64Array(candidates.length);
    const index = new Map<string, number>();
    for (let i = 0; i < candidates.length; i++) {
      const id = candidates[i]!.id;
      const old = this.#index.get(id);
      if (old !== undefined) values[i] = this.#values[old]!;
      index.set(id, i);
    }
    this.#source = candidates;
    this.#values = values;
    this.#index = index;
    return values;
  }
}
