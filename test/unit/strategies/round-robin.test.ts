import assert from "node:assert/strict";
import { test } from "node:test";
import { createRoundRobin } from "../../../src/strategies/round-robin.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";

const req = { hashKey: "" };
const cand = (id: string): Candidate => ({ id, effectiveWeight: 1, inFlight: 0 });

void test("round_robin rotates a b c a b c", () => {
  const rr = createRoundRobin();
  const cs = [cand("a"), cand("b"), cand("c")];
  const picks = Array.from({ length: 6 }, () => rr.pick(cs, req)?.id);
  assert.deepEqual(picks, ["a", "b", "c", "a", "b", "c"]);
});

void test("round_robin ignores weights and in-flight counts", () => {
  const rr = createRoundRobin();
  const cs = [{ id: "a", effectiveWeight: 10, inFlight: 9 }, cand("b")];
  assert.deepEqual([rr.pick(cs, req)?.id, rr.pick(cs, req)?.id, rr.pick(cs, req)?.id], ["a", "b", "a"]);
});

void test("round_robin stays in range when the candidate array shrinks and grows", () => {
  const rr = createRoundRobin();
  const big = [cand("a"), cand("b"), cand("c"), cand("d")];
  const small = [cand("a"), cand("b")];
  assert.equal(rr.pick(big, req)?.id, "a");
  assert.equal(rr.pick(big, req)?.id, "b");
  assert.equal(rr.pick(big, req)?.id, "c");
  // Cursor 3 on a 2-element array wraps instead of returning undefined.
  assert.equal(rr.pick(small, req)?.id, "b");
  assert.equal(rr.pick(small, req)?.id, "a");
  assert.equal(rr.pick(big, req)?.id, "b");
});
