import assert from "node:assert/strict";
import { test } from "node:test";
import { findKnee } from "../../../src/load/knee.ts";

/** Steps from [throughput, p99 ms] pairs. */
function steps(...points: Array<[number, number]>) {
  return points.map(([throughput, p99], i) => ({
    step: i + 1,
    throughput,
    latencyMs: { min: 0, mean: 0, stdev: 0, p50: 0, p75: 0, p90: 0, p95: 0, p99, p999: 0, max: 0 },
  }));
}

test("the knee is the last step before throughput stops rising by 10%", () => {
  const knee = findKnee(steps([1000, 10], [2000, 11], [3000, 12], [3200, 13], [3300, 19]));
  assert.deepEqual(knee, {
    knee: 3,
    kneeReached: true,
    kneeReason: "step 4 raised throughput by +6.7% (< 10%)",
  });
});

test("the knee is the last step before p99 passes twice the first step's, even while throughput rises", () => {
  const knee = findKnee(steps([1000, 10], [2000, 15], [3000, 20], [4000, 20.5]));
  assert.deepEqual(knee, {
    knee: 3,
    kneeReached: true,
    kneeReason: "step 4's p99 20.5 ms exceeded 2× step 1's 10.0 ms",
  });
});

test("a 10% gain exactly still counts as rising", () => {
  assert.equal(findKnee(steps([1000, 10], [1100, 10], [1150, 10])).knee, 2);
});

test("throughput that never flattens puts the knee beyond the steps run", () => {
  assert.deepEqual(findKnee(steps([100, 5], [200, 5], [400, 6])), {
    knee: 3,
    kneeReached: false,
    kneeReason: "throughput still rose at the last step: the knee lies beyond the levels tried",
  });
});

test("the first step is the knee when the second already gains nothing", () => {
  assert.equal(findKnee(steps([5000, 3], [5100, 3])).knee, 1);
});

test("no steps, or one, give no knee reached", () => {
  assert.deepEqual(findKnee([]), { knee: undefined, kneeReached: false, kneeReason: "no step finished" });
  assert.equal(findKnee(steps([100, 1])).kneeReached, false);
});
