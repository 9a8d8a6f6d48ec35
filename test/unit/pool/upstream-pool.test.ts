import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UpstreamPool, type PoolChange } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";

const spec = (port: number, extra: { weight?: number; backup?: boolean } = {}) => ({
  url: `http://127.0.0.1:${port}`,
  weight: extra.weight ?? 1,
  backup: extra.backup ?? false,
});

describe("UpstreamPool", () => {
  it("offers healthy primaries, then healthy backups, then nothing", () => {
    const clock = new ManualClock();
    const pool = new UpstreamPool("api", [spec(1), spec(2), spec(3, { backup: true })], {
      clock,
      slowStartMs: 0,
      panicMode: false,
    });
    const [a, b, c] = pool.backends;
    assert.ok(a && b && c);
    assert.deepEqual(pool.candidates(), [a, b]);
    pool.setActiveStatus(a, false);
    pool.setActiveStatus(b, false);
    assert.deepEqual(pool.candidates(), [c]);
    pool.setActiveStatus(c, false);
    assert.deepEqual(pool.candidates(), []);
  });

  it("does not slow-start the backends present at start-up, but does ramp new ones", () => {
    const clock = new ManualClock(1000);
    const pool = new UpstreamPool("api", [spec(1, { weight: 10 })], {
      clock,
      slowStartMs: 10_000,
      panicMode: false,
    });
    assert.equal(pool.candidates()[0]?.effectiveWeight, 10);
    pool.reconcile([spec(1, { weight: 10 }), spec(2, { weight: 10 })]);
    const added = pool.backends[1];
    assert.ok(added);
    assert.ok(added.effectiveWeight < 1, `new backend starts ramping (${added.effectiveWeight})`);
    clock.advance(5000);
    pool.candidates();
    assert.equal(added.effectiveWeight, 5);
    clock.advance(5000);
    pool.candidates();
    assert.equal(added.effectiveWeight, 10);
  });

  it("announces both the ejection and the rejoin when an ejection expires", () => {
    const clock = new ManualClock();
    const pool = new UpstreamPool("api", [spec(1), spec(2)], { clock, slowStartMs: 0, panicMode: false });
    const changes: PoolChange[] = [];
    pool.onChange((c) => changes.push(c));
    const [a] = pool.backends;
    assert.ok(a);
    pool.eject(a, clock.now() + 100);
    assert.equal(pool.candidates().length, 1);
    clock.advance(100);
    assert.equal(pool.candidates().length, 2);
    assert.deepEqual(
      changes.map((c) => (c.type === "status" ? `${c.backend.label} ${c.up ? "up" : "down"}` : c.type)),
      ["127.0.0.1:1 down", "127.0.0.1:1 up"],
    );
  });

  it("keeps the state of unchanged origins across reconcile", () => {
    const clock = new ManualClock();
    const pool = new UpstreamPool("api", [spec(1), spec(2)], { clock, slowStartMs: 0, panicMode: false });
    const [a] = pool.backends;
    assert.ok(a);
    pool.setActiveStatus(a, false);
    pool.reconcile([spec(1, { weight: 5 }), spec(3)]);
    assert.equal(pool.backends[0], a);
    assert.equal(a.weight, 5);
    assert.equal(a.activeUp, false);
    assert.deepEqual(
      pool.backends.map((b) => b.label),
      ["127.0.0.1:1", "127.0.0.1:3"],
    );
  });

  it("in panic mode offers every backend when nothing is healthy", () => {
    const clock = new ManualClock();
    const pool = new UpstreamPool("api", [spec(1), spec(2, { backup: true })], {
      clock,
      slowStartMs: 0,
      panicMode: true,
    });
    for (const b of pool.backends) pool.setActiveStatus(b, false);
    assert.deepEqual(
      pool.candidates().map((b) => b.label),
      ["127.0.0.1:1"],
    );
  });
});
