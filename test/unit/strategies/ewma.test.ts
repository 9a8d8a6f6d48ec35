import assert from "node:assert/strict";
import { test } from "node:test";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { PeakEwma } from "../../../src/strategies/ewma.ts";
import type { Candidate } from "../../../src/pool/candidate.ts";

const req = { hashKey: "" };
const cand = (id: string): Candidate => ({ id, effectiveWeight: 1, inFlight: 0 });

function countPicks(ewma: PeakEwma, cs: readonly Candidate[], picks: number): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < picks; i++) {
    const id = ewma.pick(cs, req)!.id;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

void test("ewma: a backend with higher observed latency gets fewer picks", () => {
  const clock = new ManualClock();
  const ewma = new PeakEwma({ random: seededRandom(1), clock });
  const cs = [cand("a"), cand("b"), cand("c")];
  ewma.observe(cs[0]!, { latencyMs: 10, failed: false });
  ewma.observe(cs[1]!, { latencyMs: 100, failed: false });
  ewma.observe(cs[2]!, { latencyMs: 12, failed: false });
  const counts = countPicks(ewma, cs, 3000);
  // P2C over cost: the slow backend loses every comparison it is drawn into.
  assert.equal(counts.get("b") ?? 0, 0);
  assert.ok((counts.get("a") ?? 0) > (counts.get("c") ?? 0));
});

void test("ewma: in-flight requests raise the cost of a fast backend", () => {
  const ewma = new PeakEwma({ random: seededRandom(2), clock: new ManualClock() });
  const fast = { id: "fast", effectiveWeight: 1, inFlight: 20 };
  const slow = { id: "slow", effectiveWeight: 1, inFlight: 0 };
  ewma.observe(fast, { latencyMs: 10, failed: false });
  ewma.observe(slow, { latencyMs: 50, failed: false });
  // 10 × 21 = 210 > 50 × 1.
  assert.equal(ewma.pick([fast, slow], req)?.id, "slow");
});

void test("ewma: a backend that fails fast does not attract traffic", () => {
  const clock = new ManualClock();
  const ewma = new PeakEwma({ random: seededRandom(3), clock });
  const cs = [cand("ok1"), cand("failing"), cand("ok2")];
  ewma.observe(cs[0]!, { latencyMs: 50, failed: false });
  ewma.observe(cs[2]!, { latencyMs: 60, failed: false });
  ewma.observe(cs[1]!, { latencyMs: 1, failed: true });
  assert.equal(ewma.estimate("failing"), 1000);
  assert.equal(countPicks(ewma, cs, 3000).get("failing") ?? 0, 0);
});

void test("ewma: peak jumps up at once, a lower sample blends in over the decay time", () => {
  const clock = new ManualClock();
  const ewma = new PeakEwma({ random: seededRandom(4), clock }, { decayMs: 10_000 });
  const a = cand("a");
  ewma.observe(a, { latencyMs: 10, failed: false });
  ewma.observe(a, { latencyMs: 200, failed: false });
  assert.equal(ewma.estimate("a"), 200);
  clock.advance(10_000);
  ewma.observe(a, { latencyMs: 10, failed: false });
  // 200·e⁻¹ + 10·(1 − e⁻¹)
  assert.ok(Math.abs(ewma.estimate("a")! - (200 * Math.exp(-1) + 10 * (1 - Math.exp(-1)))) < 1e-9);
});

void test("ewma: decay over time brings a recovered backend back", () => {
  const clock = new ManualClock();
  const ewma = new PeakEwma({ random: seededRandom(5), clock });
  const cs = [cand("a"), cand("b")];
  ewma.observe(cs[0]!, { latencyMs: 50, failed: false });
  ewma.observe(cs[1]!, { latencyMs: 5, failed: true });
  assert.equal(countPicks(ewma, cs, 100).get("b") ?? 0, 0);

  // a keeps serving traffic (fresh samples), b gets none; after 60 s b's 1000 ms has decayed to ~2.5 ms.
  for (let s = 0; s < 60; s++) {
    clock.advance(1000);
    ewma.observe(cs[0]!, { latencyMs: 50, failed: false });
  }
  assert.equal(ewma.pick(cs, req)?.id, "b");
  ewma.observe(cs[1]!, { latencyMs: 20, failed: false });
  assert.ok((countPicks(ewma, cs, 100).get("b") ?? 0) === 100);
});

void test("ewma: an unseen backend gets the mean estimate, so it is tried but not preferred over a faster one", () => {
  // Draws: fresh then slow, then fresh then fast (weights 1,1,1).
  const draws = [0.9, 0.9, 0.9, 0.1];
  let k = 0;
  const ewma = new PeakEwma({ random: () => draws[k++]!, clock: new ManualClock() });
  const cs = [cand("fast"), cand("slow"), cand("fresh")];
  ewma.observe(cs[0]!, { latencyMs: 10, failed: false });
  ewma.observe(cs[1]!, { latencyMs: 90, failed: false });
  // fresh costs (10 + 90) / 2 = 50: beats slow, loses to fast.
  assert.equal(ewma.pick(cs, req)?.id, "fresh");
  assert.equal(ewma.pick(cs, req)?.id, "fast");
});

void test("ewma: estimates of backends no longer offered are dropped", () => {
  const ewma = new PeakEwma({ random: seededRandom(7), clock: new ManualClock() });
  const a = cand("a");
  const b = cand("b");
  ewma.observe(a, { latencyMs: 10, failed: false });
  ewma.observe(b, { latencyMs: 20, failed: false });
  ewma.pick([a, cand("c")], req);
  assert.equal(ewma.estimate("a"), 10);
  assert.equal(ewma.estimate("b"), undefined);
});
