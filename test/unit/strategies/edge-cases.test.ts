import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { createStrategy, strategyNames } from "../../../src/strategies/registry.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";

const deps = { random: seededRandom(9), clock: new ManualClock() };

void test("every strategy returns undefined for no candidates and the only one for a single candidate", () => {
  const only: Candidate = { id: "only", effectiveWeight: 1, inFlight: 3 };
  for (const name of strategyNames) {
    const s = createStrategy(name, deps);
    assert.equal(s.pick([], { hashKey: "k" }), undefined, name);
    for (let i = 0; i < 3; i++) assert.equal(s.pick([only], { hashKey: `k${i}` }), only, name);
  }
});

void test("every strategy returns a member of the array it is given when the set changes between calls", () => {
  const pool: Candidate[] = Array.from({ length: 8 }, (_, i) => ({
    id: `b${i}`,
    effectiveWeight: 1 + (i % 3),
    inFlight: i % 2,
  }));
  const random = seededRandom(10);
  for (const name of strategyNames) {
    const s = createStrategy(name, deps);
    for (let i = 0; i < 500; i++) {
      const size = 1 + Math.floor(random() * pool.length);
      const cs = pool.slice(0, size);
      const picked = s.pick(cs, { hashKey: `key-${i}` });
      assert.ok(picked !== undefined && cs.includes(picked), `${name} pick ${i}`);
      s.observe?.(picked, { latencyMs: 1 + (i % 7), failed: i % 11 === 0 });
    }
  }
});
