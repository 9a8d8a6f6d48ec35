import assert from "node:assert/strict";
import { test } from "node:test";
import { createRandom } from "../../../src/strategies/random.ts";
import type { Candidate } from "../../../src/strategies/strategy.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";

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
  const counts = new Map<string, number>();
  for (let i = 0; i < 60_000; i++) {
    const id = rnd.pick(cs, req)!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  for (const [id, share] of [
    ["a", 3 / 6],
    ["b", 2 / 6],
    ["c", 1 / 6],
  ] as const) {
    assert.ok(Math.abs((counts.get(id) ?? 0) / 60_000 - share) <= 0.01, `${id}: ${counts.get(id)}`);
  }
});
