import assert from "node:assert/strict";
import { test } from "node:test";
import { parseDuration } from "../../../src/config/duration.ts";

test("durations with units parse to milliseconds", () => {
  const cases: [unknown, number][] = [
    ["500ms", 500],
    ["5s", 5000],
    ["1.5s", 1500],
    ["1m", 60_000],
    ["1h", 3_600_000],
    ["1m30s", 90_000],
    ["0s", 0],
    ["0", 0],
    [250, 250],
    [0, 0],
  ];
  for (const [input, ms] of cases)
    assert.deepEqual(parseDuration(input), { ok: true, value: ms }, String(input));
});

test("bad durations are refused with the value quoted", () => {
  assert.deepEqual(parseDuration("5x"), {
    ok: false,
    message: 'invalid duration "5x": use a number with a unit ms, s, m or h (e.g. "500ms", "5s")',
  });
  assert.deepEqual(parseDuration("5"), {
    ok: false,
    message: 'invalid duration "5": use a number with a unit ms, s, m or h (e.g. "500ms", "5s")',
  });
  assert.deepEqual(parseDuration("-5s"), {
    ok: false,
    message: 'invalid duration "-5s": must not be negative',
  });
  assert.deepEqual(parseDuration(-5), { ok: false, message: "invalid duration -5: must not be negative" });
  assert.deepEqual(parseDuration(true), {
    ok: false,
    message: 'expected a duration such as "5s" or "500ms", got true',
  });
  assert.deepEqual(parseDuration("600h"), {
    ok: false,
    message: 'invalid duration "600h": must be at most 596h (2^31-1 ms)',
  });
});
