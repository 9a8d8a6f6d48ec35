import assert from "node:assert/strict";
import { test } from "node:test";
import { setImmediate as tick } from "node:timers/promises";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { BatchTimeline } from "../../../../interceptors/kafka/batch-timeline.ts";

interface Group {
  first: number;
  last: number;
  beginMs: number;
  endMs: number;
  failed: boolean;
}

function setup(count: number) {
  const clock = new ManualClock(1000);
  const groups: Group[] = [];
  const offsets = Array.from({ length: count }, (_, i) => String(100 + i));
  const timeline = new BatchTimeline(offsets, clock, (first, last, beginMs, endMs, failure) => {
    groups.push({ first, last, beginMs, endMs, failed: failure !== undefined });
  });
  return { clock, groups, timeline };
}

void test("sequential loop with resolveOffset: each message runs from its read to its resolve", async () => {
  const { clock, groups, timeline } = setup(3);
  const work = [30, 10, 50];
  for (let i = 0; i < 3; i++) {
    timeline.touch(i);
    clock.advance(work[i] ?? 0);
    await tick();
    timeline.resolve(String(100 + i));
    clock.advance(5); // heartbeat: belongs to no message
    await tick();
  }
  timeline.finish();
  assert.deepEqual(
    groups.map((g) => [g.first, g.last, g.endMs - g.beginMs]),
    [
      [0, 0, 30],
      [1, 1, 10],
      [2, 2, 50],
    ],
  );
});

void test("without resolveOffset, reading the next message after an await ends the previous one", async () => {
  const { clock, groups, timeline } = setup(3);
  for (const [i, ms] of [20, 40, 60].entries()) {
    timeline.touch(i);
    clock.advance(ms);
    await tick();
  }
  timeline.finish();
  assert.deepEqual(
    groups.map((g) => g.endMs - g.beginMs),
    [20, 40, 60],
  );
});

void test("a bulk read does not start every message: begins follow the previous end", async () => {
  const { clock, groups, timeline } = setup(3);
  for (let i = 0; i < 3; i++) timeline.touch(i); // batch.messages.map(...) in one synchronous run
  await tick();
  for (const [i, ms] of [15, 25, 35].entries()) {
    clock.advance(ms);
    await tick();
    timeline.resolve(String(100 + i));
  }
  timeline.finish();
  assert.deepEqual(
    groups.map((g) => g.endMs - g.beginMs),
    [15, 25, 35],
  );
});

void test("one resolveOffset for a bulk operation gives every message the whole duration", async () => {
  const { clock, groups, timeline } = setup(4);
  for (let i = 0; i < 4; i++) timeline.touch(i);
  clock.advance(80);
  await tick();
  timeline.resolve("103");
  timeline.finish();
  assert.deepEqual(groups, [{ first: 0, last: 3, beginMs: 1000, endMs: 1080, failed: false }]);
});

void test("a throw fails the message in progress and leaves later messages unrecorded", async () => {
  const { clock, groups, timeline } = setup(4);
  timeline.touch(0);
  clock.advance(10);
  await tick();
  timeline.resolve("100");
  await tick();
  timeline.touch(1);
  clock.advance(7);
  await tick();
  timeline.finish({ error: new Error("boom") });
  assert.deepEqual(
    groups.map((g) => [g.first, g.last, g.endMs - g.beginMs, g.failed]),
    [
      [0, 0, 10, false],
      [1, 1, 7, true],
    ],
  );
});
