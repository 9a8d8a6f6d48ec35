import assert from "node:assert/strict";
import { test } from "node:test";
import { WeightedSampler } from "../../../src/strategies/weighted-sampler.ts";

const cs = [
  { id: "a", effectiveWeight: 3, inFlight: 0 },
  { id: "b", effectiveWeight: 2, inFlight: 0 },
  { id: "c", effectiveWeight: 1, inFlight: 0 },
];

void test("sampleOther never returns the excluded index and cuts its weight out of the line", () => {
  const s = new WeightedSampler();
  s.sync(cs);
  // Excluding b leaves a (3) and c (1) on a line of length 4.
  assert.equal(s.sampleOther(1, 0), 0);
  assert.equal(s.sampleOther(1, 0.74), 0);
  assert.equal(s.sampleOther(1, 0.75), 2);
  assert.equal(s.sampleOther(1, 0.999999), 2);
  for (let ex = 0; ex < 3; ex++) {
    for (let r = 0; r < 1; r += 0.001) assert.notEqual(s.sampleOther(ex, r), ex);
  }
});
