import assert from "node:assert/strict";
import { test } from "node:test";
import { createConsistentHash } from "../../../src/strategies/consistent-hash.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";
import type { Strategy } from "../../../src/strategies/strategy.ts";

const backends = (n: number): Candidate[] =>
  Array.from({ length: n }, (_, i) => ({
    id: `http://10.0.0.${i + 1}:8080`,
    effectiveWeight: 1,
    inFlight: 0,
  }));
const keys = Array.from({ length: 100_000 }, (_, i) => `user-${i}`);

function assign(strategy: Strategy, cs: readonly Candidate[]): string[] {
  return keys.map((hashKey) => strategy.pick(cs, { hashKey })!.id);
}

for (const n of [5, 10]) {
  void test(`consistent_hash: removing 1 of ${n} backends remaps at most 1/${n} + 5% of 100k keys, survivors' keys stay`, () => {
    const ch = createConsistentHash();
    const all = backends(n);
    const before = assign(ch, all);
    const removed = all[2]!.id;
    const after = assign(
      ch,
      all.filter((c) => c.id !== removed),
    );
    let moved = 0;
    for (let i = 0; i < keys.length; i++) {
      if (before[i] !== after[i]) {
        moved++;
        assert.equal(before[i], removed, `key ${keys[i]} moved although its backend survived`);
      }
    }
    assert.ok(moved / keys.length <= 1 / n + 0.05, `moved ${moved}`);
    assert.ok(moved > 0);
  });
}

void test("consistent_hash: the same key always goes to the same backend, whatever the array order", () => {
  const ch = createConsistentHash();
  const cs = backends(7);
  const reversed = [...cs].reverse();
  for (const k of keys.slice(0, 2000)) {
    const first = ch.pick(cs, { hashKey: k })!.id;
    assert.equal(ch.pick(cs, { hashKey: k })!.id, first);
    assert.equal(ch.pick(reversed, { hashKey: k })!.id, first);
  }
});

void test("consistent_hash: keys spread over backends by weight", () => {
  const ch = createConsistentHash();
  const cs: Candidate[] = [
    { id: "a", effectiveWeight: 1, inFlight: 0 },
    { id: "b", effectiveWeight: 1, inFlight: 0 },
    { id: "c", effectiveWeight: 2, inFlight: 0 },
  ];
  const counts = new Map<string, number>();
  for (const id of assign(ch, cs)) counts.set(id, (counts.get(id) ?? 0) + 1);
  // Ring placement is random-like: about 1/4, 1/4, 1/2, within a few percent with 160 points per unit weight.
  assert.ok(Math.abs(counts.get("a")! / keys.length - 0.25) < 0.05, `a: ${counts.get("a")}`);
  assert.ok(Math.abs(counts.get("b")! / keys.length - 0.25) < 0.05, `b: ${counts.get("b")}`);
  assert.ok(Math.abs(counts.get("c")! / keys.length - 0.5) < 0.05, `c: ${counts.get("c")}`);
});

void test("consistent_hash: adding a backend only takes keys for itself", () => {
  const ch = createConsistentHash();
  const cs = backends(5);
  const before = assign(ch, cs);
  const added = { id: "http://10.0.0.99:8080", effectiveWeight: 1, inFlight: 0 };
  const after = assign(ch, [...cs, added]);
  let moved = 0;
  for (let i = 0; i < keys.length; i++) {
    if (before[i] !== after[i]) {
      moved++;
      assert.equal(after[i], added.id, `key ${keys[i]} moved between two old backends`);
    }
  }
  // Every key the new backend owns came from an old one, and it owns about its 1/6 share.
  assert.equal(moved, after.filter((id) => id === added.id).length);
  assert.ok(Math.abs(moved / keys.length - 1 / 6) < 0.05, `moved ${moved} of ${keys.length}`);
});
