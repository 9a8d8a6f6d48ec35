import { fmix32, hash32 } from "./hash32.ts";
import type { Candidate } from "../pool/candidate.ts";

/** Ketama's 160 virtual nodes per unit of weight. */
export const POINTS_PER_WEIGHT = 160;
/** Ring size cap (64 Ki points): above it points per unit of weight shrink, so a rebuild (sort) blocks the event loop for ~10 ms at most. */
export const MAX_RING_POINTS = 1 << 16;
/** Golden-ratio step: consecutive virtual nodes of one backend land far apart before mixing. */
const POINT_STEP = 0x9e3779b9;
/** Point hash and owner index packed into one float64 (hash * 2^20 + index) so a native typed-array sort orders both. */
const OWNER_SPACE = 2 ** 20;

/**
 * A ketama-style consistent-hash ring: each candidate owns `round(160 × weight)` points; a key
 * belongs to the first point clockwise from its hash. A backend's points depend only on its id
 * (point k = fmix32(hash(id) + k·φ)), so adding or removing a backend moves only the keys on
 * its own points, and a weight change adds or removes only the points at the end of its list.
 *
 * The ring is built once per candidate array and looked up by binary search. A new array with
 * the same ids and weights in the same order (the pool recomputes on every status change)
 * reuses the ring without rebuilding.
 */
export class HashRing {
  #source: readonly Candidate[] | undefined;
  #ids: readonly string[] = [];
  #weights = new Float64Array(0);
  #hashes = new Uint32Array(0);
  #owners = new Uint32Array(0);

  /** Index into `candidates` of the owner of `key`; -1 when there are no candidates. */
  lookup(candidates: readonly Candidate[], key: string): number {
    if (candidates !== this.#source) this.#sync(candidates);
    const hashes = this.#hashes;
    const n = hashes.length;
    if (n === 0) return -1;
    const h = hash32(key);
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (hashes[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return this.#owners[lo === n ? 0 : lo]!;
  }

  /** Number of points on the ring (for tests and docs). */
  get size(): number {
    return this.#hashes.length;
  }

  #sync(candidates: readonly Candidate[]): void {
    if (!this.#sameMembers(candidates)) this.#build(candidates);
    this.#source = candidates;
  }

  #sameMembers(candidates: readonly Candidate[]): boolean {
    if (candidates.length !== this.#ids.length) return false;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (c.id !== this.#ids[i] || c.effectiveWeight !== this.#weights[i]) return false;
    }
    return true;
  }

  #build(candidates: readonly Candidate[]): void {
    const n = candidates.length;
    if (n > OWNER_SPACE) throw new RangeError(`hash ring supports at most ${OWNER_SPACE} backends`);
    const ids = new Array<string>(n);
    const weights = new Float64Array(n);
    let totalWeight = 0;
    for (let i = 0; i < n; i++) {
      const c = candidates[i]!;
      ids[i] = c.id;
      weights[i] = c.effectiveWeight;
      totalWeight += c.effectiveWeight;
    }
    const perWeight = Math.min(POINTS_PER_WEIGHT, MAX_RING_POINTS / Math.max(totalWeight, 1e-9));
    const counts = new Uint32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) {
      counts[i] = Math.max(1, Math.round(perWeight * weights[i]!));
      total += counts[i]!;
    }
    const packed = new Float64Array(total);
    let p = 0;
    for (let i = 0; i < n; i++) {
      const base = hash32(ids[i]!);
      for (let k = 0; k < counts[i]!; k++) {
        packed[p++] = fmix32((base + Math.imul(k, POINT_STEP)) >>> 0) * OWNER_SPACE + i;
      }
    }
    packed.sort();
    const hashes = new Uint32Array(total);
    const owners = new Uint32Array(total);
    for (let j = 0; j < total; j++) {
      const v = packed[j]!;
      const owner = v % OWNER_SPACE;
      owners[j] = owner;
      hashes[j] = (v - owner) / OWNER_SPACE;
    }
    this.#ids = ids;
    this.#weights = weights;
    this.#hashes = hashes;
    this.#owners = owners;
  }
}
