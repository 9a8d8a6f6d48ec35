import assert from "node:assert/strict";
import { test } from "node:test";
import { OffsetHistory } from "../../../../interceptors/kafka/offset-history.ts";

void test("lag in seconds is interpolated between the polls that saw the offset appear", () => {
  const history = new OffsetHistory(10);
  history.record(100, 0);
  history.record(200, 10_000); // 100 messages appended uniformly between t=0 and t=10s
  history.record(200, 20_000);
  history.record(300, 30_000);
  // Offset 149 (the 50th message after 100) appeared at ~5 s: at t=40 s it is ~35 s old.
  assert.equal(history.ageSeconds(149, 40_000), 35);
  // Offset 249 appeared between the last poll still at 200 (t=20 s) and t=30 s.
  assert.equal(history.ageSeconds(249, 40_000), 15);
  assert.equal(history.ageSeconds(300, 40_000), 0, "nothing unconsumed");
});

void test("an offset older than the whole history yields a lower bound: time since the first sample", () => {
  const history = new OffsetHistory(2);
  history.record(10, 0);
  history.record(20, 1000);
  history.record(30, 2000); // capacity 2: the t=0 sample is dropped
  assert.equal(history.ageSeconds(5, 5000), 4);
});
