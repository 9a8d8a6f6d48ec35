import assert from "node:assert/strict";
import { test } from "node:test";
import { createSmoothWeightedRoundRobin } from "../../../src/strategies/smooth-weighted-round-robin.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";
import { assertShares, SHARES_3_2_1 } from "./shares.ts";

const req = { hashKey: "" };
const cand = (id: string, effectiveWeight: number): Candidate => ({ id, effectiveWeight, inFlight: 0 });

void test("weighted_round_robin with weights 5,1,1 gives a a b a c a a every cycle (nginx smooth WRR)", () => {
  const wrr = createSmoothWeightedRoundRobin();
  const cs = [cand("a", 5), cand("b", 1), cand("c", 1)];
  const cycle = ["a", "a", "b", "a", "c", "a", "a"];
  for (let round = 0; round < 3; round++) {
    assert.deepEqual(
      cycle.map(() => wrr.pick(cs, req)?.id),
      cycle,
      `cycle ${round}`,
    );
  }
});

void test("weighted_round_robin shares 3:2:1 over 60k picks are within 1% of the weights", () => {
  const wrr = createSmoothWeightedRoundRobin();
  const cs = [cand("a", 3), cand("b", 2), cand("c", 1)];
  assertShares(wrr, cs, SHARES_3_2_1);
});

void test("weighted_round_robin keeps state by id across new candidate arrays and drops removed ids", () => {
  const wrr = createSmoothWeightedRoundRobin();
  const a = cand("a", 5);
  const b = cand("b", 1);
  const c = cand("c", 1);
  // Two picks into the cycle, then a fresh array with the same members continues it.
  assert.equal(wrr.pick([a, b, c], req)?.id, "a");
  assert.equal(wrr.pick([a, b, c], req)?.id, "a");
  assert.deepEqual(
    [0, 1, 2, 3, 4].map(() => wrr.pick([a, b, c], req)?.id),
    ["b", "a", "c", "a", "a"],
  );
  // Without c, a and b alternate by weight 5:1 and never return c.
  const two = [a, b];
  const picks = Array.from({ length: 12 }, () => wrr.pick(two, req)?.id);
  assert.equal(picks.filter((id) => id === "b").length, 2);
  assert.ok(!picks.includes("c"));
});

void test("weighted_round_robin follows a changed effectiveWeight (slow start) on the next array", () => {
  const wrr = createSmoothWeightedRoundRobin();
  const counts = { a: 0, b: 0 };
  for (let i = 0; i < 100; i++) counts[wrr.pick([cand("a", 1), cand("b", 0.25)], req)!.id as "a" | "b"]++;
  assert.deepEqual(counts, { a: 80, b: 20 });
});
