import assert from "node:assert/strict";
import { test } from "node:test";
import { newHistogram } from "../../../src/load/latency-histogram.ts";
import { ProgressLine } from "../../../src/load/progress.ts";
import { emptyCounts } from "../../../src/load/worker-protocol.ts";

function live(elapsedMs: number, completed: number, errors = 0) {
  const histogram = newHistogram();
  for (let i = 1; i <= 100; i++) histogram.recordValue(i * 100); // 0.1 … 10 ms
  return {
    elapsedMs,
    counts: { ...emptyCounts(), completedInWindow: completed, finished: completed, errors },
    histogram,
  };
}

test("on a terminal the line is rewritten in place and erased when the step ends", () => {
  const written: string[] = [];
  const progress = new ProgressLine({ isTTY: true, write: (t: string) => written.push(t) }, undefined);
  progress.begin("step 1/3 (10 conns)", 10_000);
  progress.update(live(500, 1000));
  progress.update(live(1000, 3000, 30));
  progress.end();
  assert.deepEqual(written, [
    "\r\x1b[2Kstep 1/3 (10 conns)  0.5/10.0s  2,000 req/s  p50 5.00 ms  p99 9.90 ms  errors 0 (0.00%)",
    "\r\x1b[2Kstep 1/3 (10 conns)  1.0/10.0s  4,000 req/s  p50 5.00 ms  p99 9.90 ms  errors 30 (1.00%)",
    "\r\x1b[2K",
  ]);
});

test("without a terminal a new line is printed once per interval, with the rate since the last line", () => {
  const written: string[] = [];
  const progress = new ProgressLine({ write: (t: string) => written.push(t) }, 2000);
  progress.begin("warm-up (10 conns)", 5000);
  for (const [elapsed, completed] of [
    [500, 100],
    [1500, 300],
    [2000, 400],
    [3000, 600],
    [4000, 1000],
  ] as const) {
    progress.update(live(elapsed, completed));
  }
  progress.end();
  assert.deepEqual(
    written.map((l) => l.split("  ").slice(0, 3).join("  ")),
    ["warm-up (10 conns)  2.0/5.0s  200 req/s", "warm-up (10 conns)  4.0/5.0s  300 req/s"],
  );
  assert.ok(written.every((l) => l.endsWith("\n")));
});
