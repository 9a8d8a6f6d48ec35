import assert from "node:assert/strict";
import { test } from "node:test";
import { rotation } from "../lib/scenarios.ts";
import { median, ratio, spreadPercent } from "../lib/stats.ts";

test("median takes the middle value, or the mean of the two middle values", () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 3, 2]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("spread is half the range relative to the median", () => {
  assert.equal(spreadPercent([90, 100, 110]), 10);
  assert.equal(spreadPercent([100]), 0);
});

test("ratio is NaN without a usable reference", () => {
  assert.equal(ratio(50, 100), 0.5);
  assert.ok(Number.isNaN(ratio(50, undefined)));
  assert.ok(Number.isNaN(ratio(50, 0)));
});

test("rotation starts each round at the next target, so every target leads once per cycle", () => {
  assert.deepEqual(rotation(["a", "b", "c"], 0), ["a", "b", "c"]);
  assert.deepEqual(rotation(["a", "b", "c"], 1), ["b", "c", "a"]);
  assert.deepEqual(rotation(["a", "b", "c"], 5), ["c", "a", "b"]);
  assert.deepEqual(rotation([], 3), []);
});
