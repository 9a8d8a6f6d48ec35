import assert from "node:assert/strict";
import { test } from "node:test";
import { createLeastConn } from "../../../src/strategies/least-conn.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";
import { assertShares, SHARES_3_2_1 } from "./shares.ts";

const req = { hashKey: "" };
const cand = (id: string, inFlight: number, effectiveWeight = 1): Candidate => ({
  id,
  effectiveWeight,
  inFlight,
});

void test("least_conn picks the fewest in flight", () => {
  const lc = createLeastConn();
  assert.equal(lc.pick([cand("a", 3), cand("b", 1), cand("c", 2)], req)?.id, "b");
});

void test("least_conn normalises by weight: 4 in flight at weight 4 beats 2 at weight 1", () => {
  const lc = createLeastConn();
  assert.equal(lc.pick([cand("a", 2, 1), cand("b", 4, 4)], req)?.id, "b");
  assert.equal(lc.pick([cand("a", 1, 1), cand("b", 5, 4)], req)?.id, "a");
});

void test("least_conn rotates among tied candidates and skips the loaded one", () => {
  const lc = createLeastConn();
  const cs = [cand("a", 1), cand("b", 5), cand("c", 1), cand("d", 1)];
  const picks = Array.from({ length: 6 }, () => lc.pick(cs, req)?.id);
  assert.deepEqual(picks, ["a", "c", "d", "a", "c", "d"]);
});

void test("least_conn with nothing in flight shares by weight 3:2:1 within 1% (nginx ties → WRR)", () => {
  const lc = createLeastConn();
  const cs = [cand("a", 0, 3), cand("b", 0, 2), cand("c", 0, 1)];
  assertShares(lc, cs, SHARES_3_2_1);
});

void test("least_conn follows in-flight counts as they change, keeping backends level", () => {
  const lc = createLeastConn();
  const a = { id: "a", effectiveWeight: 1, inFlight: 0 };
  const b = { id: "b", effectiveWeight: 1, inFlight: 0 };
  const cs = [a, b];
  const picks: string[] = [];
  for (let i = 0; i < 6; i++) {
    const c = lc.pick(cs, req)!;
    assert.equal(c.inFlight, Math.min(a.inFlight, b.inFlight), `pick ${i} took a least-loaded backend`);
    c.inFlight++;
    picks.push(c.id);
  }
  // Ties rotate across tie events (smooth WRR state), the forced picks in between fill the gap.
  assert.deepEqual(picks, ["a", "b", "b", "a", "a", "b"]);
  assert.deepEqual([a.inFlight, b.inFlight], [3, 3]);
});
