import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../../src/strategies/random.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { assertShares, SHARES_3_2_1 } from "./shares.ts";

const req = { hashKey: "" };
const cand = (id: string, effectiveWeight: number): Candidate => ({ id, effectiveWeight, inFlight: 0 });

void test("random maps the random number onto cumulative weights", () => {
  const values = [0, 0.49, 0.5, 0.83, 0.84, 0.999];
  let k = 0;
  const rnd = createRandom({ random: () => values[k++]!, clock: new ManualClock() });
  const cs = [cand("a", 3), cand("b", 2), cand("c", 1)];
  assert.deepEqual(
    values.map(() => rnd.pick(cs, req)?.id),
    ["a", "a", "b", "b", "c", "c"],
  );
});

void test("random shares 3:2:1 over 60k picks are within 1% of the weights", () => {
  const rnd = createRandom({ random: seededRandom(42), clock: new ManualClock() });
  const cs = [cand("a", 3), cand("b", 2), cand("c", 1)];
  assertShares(rnd, cs, SHARES_3_2_1);
});
