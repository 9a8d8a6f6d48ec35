import assert from "node:assert/strict";
import { test } from "node:test";
import { BackendStats } from "../../../src/pool/backend-stats.ts";
import { bucketOf, LATENCY_BOUNDS_MS, LatencySummary } from "../../../src/pool/latency-summary.ts";

test("a second's slot counts requests, errors and latencies; quantiles interpolate and clamp to what was seen", () => {
  const stats = new BackendStats();
  for (let i = 0; i < 98; i++) stats.record(10_000 + i, 20, false); // second 10
  stats.record(10_500, 2500, true);
  stats.record(10_600, 2510, true);
  const s = stats.between(10, 11);
  assert.equal(s.requests, 100);
  assert.equal(s.errors, 2);
  assert.equal(s.errorRate(), 0.02);
  assert.equal(s.quantile(0.5), 20, "the median bucket (10,25] is clamped to the only value seen, 20");
  const p99 = s.quantile(0.99)!;
  assert.ok(p99 > 2000 && p99 <= 2510, `p99 ${p99}`);
  assert.equal(s.quantile(1), 2510);
  assert.equal(new LatencySummary().quantile(0.99), null);
});

test("the ring keeps 64 seconds: older seconds read as empty, and a slot is reused cleanly", () => {
  const stats = new BackendStats();
  stats.record(1_000, 5, false); // second 1
  stats.record(65_000, 5, false); // second 65 reuses second 1's slot
  assert.equal(stats.between(0, 2).requests, 0, "second 1 is gone");
  assert.equal(stats.between(65, 66).requests, 1);
  assert.equal(stats.last(65_500, 59, true).requests, 1, "the last minute includes the current second");
  assert.equal(stats.last(65_500, 10, false).requests, 0, "the last whole seconds exclude it");
  assert.equal(stats.totals().requests, 2, "totals keep everything");
});

test("windows merge by adding: two processes' records of one backend equal one process' records of both", () => {
  const one = new BackendStats();
  const two = new BackendStats();
  const both = new BackendStats();
  const record = (s: BackendStats, t: number, ms: number, failed: boolean) => s.record(t, ms, failed);
  for (let i = 0; i < 50; i++) {
    const [t, ms, failed] = [5_000 + i * 40, 10 + i * 7, i % 10 === 0] as const;
    record(i % 2 === 0 ? one : two, t, ms, failed);
    record(both, t, ms, failed);
  }
  one.mergeFrom(two);
  assert.deepEqual(one.between(0, 100), both.between(0, 100));
  assert.deepEqual(one.totals(), both.totals());
});

test("interval readings are differences of cumulative totals", () => {
  const stats = new BackendStats();
  stats.record(1000, 30, false);
  const mark = stats.totals();
  stats.record(2000, 400, true);
  stats.record(2000, 450, false);
  const d = stats.totals().minus(mark);
  assert.equal(d.requests, 2);
  assert.equal(d.errors, 1);
  assert.equal(d.buckets[bucketOf(30)], 0);
});

test("bucketOf puts a value equal to a bound in that bound's bucket, and anything slower in the overflow", () => {
  assert.equal(bucketOf(0), 0);
  assert.equal(bucketOf(5), 0);
  assert.equal(bucketOf(5.01), 1);
  assert.equal(bucketOf(2000), LATENCY_BOUNDS_MS.indexOf(2000));
  assert.equal(bucketOf(10 ** 6), LATENCY_BOUNDS_MS.length);
});
