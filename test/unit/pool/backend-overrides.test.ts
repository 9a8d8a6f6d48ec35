import assert from "node:assert/strict";
import { test } from "node:test";
import type { BackendSpec } from "../../../src/config/types.ts";
import { UpstreamPool, type PoolChange } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";

const spec = (port: number, weight = 1): BackendSpec => ({
  url: `http://127.0.0.1:${port}`,
  weight,
  backup: false,
});

function pool(panicMode = false): UpstreamPool {
  return new UpstreamPool("api", [spec(1), spec(2), spec(3)], {
    clock: new ManualClock(),
    slowStartMs: 0,
    panicMode,
  });
}

void test("an operator's weight, drain and disable change the candidates at once", () => {
  const p = pool();
  const [a, b, c] = p.backends;
  assert.ok(a && b && c);
  const changes: PoolChange["type"][] = [];
  p.onChange((change) => changes.push(change.type));
  assert.equal(p.setOverride(a, { weight: 5 }), true);
  assert.equal(p.setOverride(b, { draining: true }), true);
  assert.equal(p.setOverride(c, { enabled: false }), true);
  assert.deepEqual(
    p.candidates().map((x) => [x.label, x.effectiveWeight]),
    [["127.0.0.1:1", 5]],
  );
  assert.deepEqual(changes, ["override", "override", "override"]);
  p.setOverride(b, undefined);
  assert.deepEqual(
    p.candidates().map((x) => x.label),
    ["127.0.0.1:1", "127.0.0.1:2"],
  );
});

void test("an override holds across snapshots until one changes that backend's declaration", () => {
  const p = pool();
  const [a, b] = p.backends;
  assert.ok(a && b);
  p.setOverride(a, { draining: true });
  p.setOverride(b, { weight: 7 });
  p.reconcile([spec(1), spec(2), spec(3)]);
  assert.equal(a.override?.draining, true, "same declaration: the drain stays");
  p.reconcile([spec(1), spec(2, 4), spec(3)]);
  assert.equal(b.override, undefined, "b's weight was redeclared: the operator's weight goes");
  assert.equal(b.effectiveWeight, 4);
  assert.equal(a.override?.draining, true);
});

void test("panic mode never offers a backend an operator took out", () => {
  const p = pool(true);
  const [a, b, c] = p.backends;
  assert.ok(a && b && c);
  p.setOverride(a, { enabled: false });
  for (const x of [a, b, c]) p.setActiveStatus(x, false);
  assert.deepEqual(
    p.candidates().map((x) => x.label),
    ["127.0.0.1:2", "127.0.0.1:3"],
  );
});

void test("an override for a backend that left the pool is refused", () => {
  const p = pool();
  const [a] = p.backends;
  assert.ok(a);
  p.reconcile([spec(2)]);
  assert.equal(p.setOverride(a, { draining: true }), false);
});
