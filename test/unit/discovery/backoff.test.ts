import assert from "node:assert/strict";
import { test } from "node:test";
import { Backoff } from "../../../src/discovery/backoff.ts";

test("delays double from the base to the cap, each between half and all of its step", () => {
  const low = new Backoff({ baseMs: 500, maxMs: 10_000 }, () => 0);
  const high = new Backoff({ baseMs: 500, maxMs: 10_000 }, () => 0.999_999);
  const lows = Array.from({ length: 8 }, () => low.next());
  const highs = Array.from({ length: 8 }, () => high.next());
  assert.deepEqual(lows, [250, 500, 1000, 2000, 4000, 5000, 5000, 5000]);
  assert.deepEqual(highs, [500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  assert.equal(low.failures, 8);
});

test("reset starts again from the base; a thousand failures stay at the cap", () => {
  const b = new Backoff({ baseMs: 500, maxMs: 10_000 }, () => 0.5);
  for (let i = 0; i < 1000; i++) b.next();
  assert.equal(b.next(), 7500);
  b.reset();
  assert.equal(b.failures, 0);
  assert.equal(b.next(), 375);
});
