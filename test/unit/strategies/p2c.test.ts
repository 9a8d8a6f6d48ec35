import assert from "node:assert/strict";
import { test } from "node:test";
import { createP2c } from "../../../src/strategies/p2c.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { assertShares, SHARES_3_2_1 } from "./shares.ts";

const req = { hashKey: "" };
const cand = (id: string, inFlight: number, effectiveWeight = 1): Candidate => ({
  id,
  effectiveWeight,
  inFlight,
});
const scripted = (values: number[]) => {
  let k = 0;
  return () => values[k++ % values.length]!;
};

void test("p2c draws two distinct candidates and keeps the less loaded", () => {
  // Draws: (0.1 → a, 0.9 of the rest → c), (0.5 → b, 0.1 of the rest → a), (0.9 → c, 0.6 of the rest → b).
  const p2c = createP2c({ random: scripted([0.1, 0.9, 0.5, 0.1, 0.9, 0.6]), clock: new ManualClock() });
  const cs = [cand("a", 4), cand("b", 2), cand("c", 3)];
  assert.deepEqual([p2c.pick(cs, req)?.id, p2c.pick(cs, req)?.id, p2c.pick(cs, req)?.id], ["c", "b", "b"]);
});

void test("p2c on a tie keeps the first drawn", () => {
  const p2c = createP2c({ random: scripted([0.9, 0.1]), clock: new ManualClock() });
  assert.equal(p2c.pick([cand("a", 1), cand("b", 1), cand("c", 1)], req)?.id, "c");
});

void test("p2c compares in-flight relative to weight", () => {
  const p2c = createP2c({ random: scripted([0.1, 0.5]), clock: new ManualClock() });
  // a: 2/1, b: 6/4 → b is less loaded per unit of weight.
  assert.equal(p2c.pick([cand("a", 2, 1), cand("b", 6, 4)], req)?.id, "b");
});

void test("p2c never picks the most loaded of three, and idle shares follow weights 3:2:1 within 1%", () => {
  const p2c = createP2c({ random: seededRandom(7), clock: new ManualClock() });
  const loaded = [cand("a", 9), cand("b", 1), cand("c", 0)];
  for (let i = 0; i < 1000; i++) assert.notEqual(p2c.pick(loaded, req)?.id, "a");

  const idle = [cand("a", 0, 3), cand("b", 0, 2), cand("c", 0, 1)];
  assertShares(p2c, idle, SHARES_3_2_1);
});
