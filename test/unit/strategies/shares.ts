import assert from "node:assert/strict";
import type { Candidate } from "../../../src/pool/candidate.ts";
import type { Strategy } from "../../../src/strategies/strategy.ts";

/** Weights 3:2:1 as shares of the picks. */
export const SHARES_3_2_1 = [
  ["a", 3 / 6],
  ["b", 2 / 6],
  ["c", 1 / 6],
] as const;

/**
 * Picks `picks` times and asserts each id's share of the picks is within `tolerance` of the
 * expected one (absolute, e.g. 0.01 = one percentage point).
 */
export function assertShares(
  strategy: Strategy,
  candidates: readonly Candidate[],
  expected: readonly (readonly [string, number])[],
  picks = 60_000,
  tolerance = 0.01,
): void {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const id = strategy.pick(candidates, { hashKey: "" })?.id ?? "(none)";
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const [id, share] of expected) {
    const seen = (counts.get(id) ?? 0) / picks;
    assert.ok(
      Math.abs(seen - share) <= tolerance,
      `${id}: share ${seen.toFixed(4)}, expected ${share.toFixed(4)}`,
    );
  }
}
