import assert from "node:assert/strict";
import { test } from "node:test";
import { EntryState, PartitionFlow } from "../../../../src/kafka/bridge/partition-flow.ts";

/** Takes everything runnable now; returns the offsets, in order. */
function takeAll(flow: PartitionFlow<string>): number[] {
  const taken: number[] = [];
  for (let e = flow.take(); e !== undefined; e = flow.take()) taken.push(e.offset);
  return taken;
}

function accept(flow: PartitionFlow<string>, messages: [number, string | null][]) {
  return messages.map(([offset, key]) => flow.accept(offset, key, `m${offset}`)!);
}

void test("key ordering: one message per key runs; the next of a key runs when it is done", () => {
  const flow = new PartitionFlow<string>("t", 0, "key", 16);
  const [a0, b1, a2, c3, b4] = accept(flow, [
    [0, "a"],
    [1, "b"],
    [2, "a"],
    [3, "c"],
    [4, "b"],
  ]);
  assert.deepEqual(takeAll(flow), [0, 1, 3]);
  assert.equal(a2?.state, EntryState.Waiting);
  flow.finish(a0!);
  assert.deepEqual(takeAll(flow), [2]);
  flow.finish(c3!);
  flow.finish(b1!);
  assert.deepEqual(takeAll(flow), [4]);
  assert.equal(b4?.state, EntryState.Running);
});

void test("messages without a key are ordered with nothing; partition ordering chains everything", () => {
  const byKey = new PartitionFlow<string>("t", 0, "key", 16);
  accept(byKey, [
    [0, null],
    [1, null],
    [2, "a"],
  ]);
  assert.deepEqual(takeAll(byKey), [0, 1, 2]);
  const byPartition = new PartitionFlow<string>("t", 0, "partition", 16);
  const [first] = accept(byPartition, [
    [0, "a"],
    [1, "b"],
    [2, null],
  ]);
  assert.deepEqual(takeAll(byPartition), [0]);
  byPartition.finish(first!);
  assert.deepEqual(takeAll(byPartition), [1]);
});

void test("concurrency bounds running dispatches; a message backing off frees its slot but holds its key", () => {
  const flow = new PartitionFlow<string>("t", 0, "key", 2);
  const [a0, b1] = accept(flow, [
    [0, "a"],
    [1, "b"],
    [2, "c"],
    [3, "a"],
  ]);
  assert.deepEqual(takeAll(flow), [0, 1]);
  flow.suspend(a0!, EntryState.Backoff);
  assert.deepEqual(takeAll(flow), [2], "c runs in a0's slot; a3 still waits for a0");
  flow.wake(a0!);
  flow.finish(b1!);
  assert.deepEqual(takeAll(flow), [0]);
  flow.finish(a0!);
  assert.equal(flow.running, 1);
});

void test("the commit offset is the lowest unfinished offset, or one past the last when all are done", () => {
  const flow = new PartitionFlow<string>("t", 0, "none", 16);
  assert.equal(flow.commitOffset(), undefined);
  const [e10, e11, e12] = accept(flow, [
    [10, "a"],
    [11, "b"],
    [12, "c"],
  ]);
  takeAll(flow);
  assert.equal(flow.commitOffset(), 10);
  assert.equal(flow.finish(e12!), undefined, "12 done, but 10 is not: the commit offset stays");
  assert.equal(flow.finish(e11!), undefined);
  assert.equal(flow.finish(e10!), 13, "all done: commit past the last");
  assert.equal(flow.pending, 0);
});

void test("a stuck message holds commits and stops the partition; re-delivered offsets are refused", () => {
  const flow = new PartitionFlow<string>("t", 0, "key", 16);
  const [a0, b1] = accept(flow, [
    [0, "a"],
    [1, "b"],
  ]);
  takeAll(flow);
  flow.stick(a0!);
  assert.equal(flow.stopped, true);
  assert.equal(flow.finish(b1!), undefined);
  assert.equal(flow.commitOffset(), 0);
  assert.equal(flow.accept(1, "b", "again"), undefined, "offset 1 was accepted before");
  assert.notEqual(flow.accept(2, "b", "new"), undefined);
  assert.deepEqual(
    flow.unfinished().map((e) => e.offset),
    [0, 2],
  );
});

void test("gaps in offsets (compaction, transaction markers) do not hold commits", () => {
  const flow = new PartitionFlow<string>("t", 0, "none", 16);
  const [e5, e9] = accept(flow, [
    [5, null],
    [9, null],
  ]);
  takeAll(flow);
  flow.finish(e5!);
  assert.equal(flow.commitOffset(), 9);
  assert.equal(flow.finish(e9!), 10);
});

void test("a long run of finished messages is compacted without changing what is pending", () => {
  const flow = new PartitionFlow<string>("t", 0, "none", 5000);
  const entries = Array.from({ length: 3000 }, (_, i) => flow.accept(i, null, String(i))!);
  takeAll(flow);
  for (const e of entries.slice(0, 2500)) flow.finish(e);
  assert.equal(flow.pending, 500);
  assert.equal(flow.commitOffset(), 2500);
  for (const e of entries.slice(2500)) flow.finish(e);
  assert.equal(flow.commitOffset(), 3000);
});
