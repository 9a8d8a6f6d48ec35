import assert from "node:assert/strict";
import { test } from "node:test";
import type { PassiveHealthConfig } from "../../../src/config/types.ts";
import { MAX_EJECTION_MS, PassiveHealth, type EjectionEvent } from "../../../src/health/passive-health.ts";
import type { Backend } from "../../../src/pool/backend.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";

const OFF: PassiveHealthConfig = {
  maxFails: 0,
  failTimeoutMs: 10_000,
  consecutive5xx: 0,
  baseEjectionMs: 30_000,
  maxEjectionPercent: 50,
};

function setup(
  config: Partial<PassiveHealthConfig>,
  backends = 2,
  retried: readonly number[] = [502, 503, 504],
) {
  const clock = new ManualClock(1000);
  const pool = new UpstreamPool(
    "app",
    Array.from({ length: backends }, (_, i) => ({
      url: `http://10.0.0.${i + 1}:8080`,
      weight: 1,
      backup: false,
    })),
    { clock, slowStartMs: 0, panicMode: false },
  );
  const passive = new PassiveHealth({ ...OFF, ...config }, pool, {
    clock,
    countsStatus: (s) => retried.includes(s),
  });
  const events: EjectionEvent[] = [];
  passive.onEjection((e) => events.push(e));
  const b = (i: number) => pool.backends[i] as Backend;
  return { clock, pool, passive, events, b };
}

const ids = (bs: readonly Backend[]) => bs.map((x) => x.label);

void test("max_fails: maxFails failures within failTimeout eject the backend for failTimeout", () => {
  const { clock, pool, passive, events, b } = setup({ maxFails: 3, failTimeoutMs: 10_000 });
  passive.record(b(0), { kind: "connect_error" });
  clock.advance(4000);
  passive.record(b(0), { kind: "timeout" });
  clock.advance(4000);
  assert.equal(pool.isUp(b(0)), true);
  passive.record(b(0), { kind: "http_5xx", status: 502 });
  assert.equal(pool.isUp(b(0)), false);
  assert.deepEqual(ids(pool.candidates()), ["10.0.0.2:8080"]);
  assert.deepEqual(events, [
    {
      backend: b(0),
      reason: "3 failures within 10000ms (max_fails), last status 502",
      untilMs: 9000 + 10_000,
    },
  ]);
});

void test("max_fails: the same failures spread wider than the window never eject", () => {
  const { clock, pool, passive, events, b } = setup({ maxFails: 3, failTimeoutMs: 10_000 });
  for (let i = 0; i < 10; i++) {
    passive.record(b(0), { kind: "reset" });
    clock.advance(5000); // 2 failures per 10 s window, never 3
  }
  assert.equal(pool.isUp(b(0)), true);
  assert.equal(events.length, 0);
});

void test("max_fails: a 5xx counts only if retry.on lists it; errors always count", () => {
  const { pool, passive, b } = setup({ maxFails: 2 }, 2, [503]);
  passive.record(b(0), { kind: "http_5xx", status: 500 });
  passive.record(b(0), { kind: "http_5xx", status: 500 });
  assert.equal(pool.isUp(b(0)), true, "500 is not in retry.on");
  passive.record(b(0), { kind: "http_5xx", status: 503 });
  passive.record(b(0), { kind: "connect_error" });
  assert.equal(pool.isUp(b(0)), false);
});

void test("max_fails: the ejection lifts after failTimeout and the backend is a candidate again", () => {
  const { clock, pool, passive, b } = setup({ maxFails: 1, failTimeoutMs: 10_000 });
  passive.record(b(1), { kind: "connect_error" });
  assert.deepEqual(ids(pool.candidates()), ["10.0.0.1:8080"]);
  clock.advance(9999);
  assert.deepEqual(ids(pool.candidates()), ["10.0.0.1:8080"]);
  clock.advance(1);
  assert.deepEqual(ids(pool.candidates()), ["10.0.0.1:8080", "10.0.0.2:8080"]);
  // Failures seen before the ejection do not count again after it.
  passive.record(b(1), { kind: "success" });
  assert.equal(pool.isUp(b(1)), true);
});

void test("failures reported while a backend is ejected (stragglers) are ignored", () => {
  const { clock, pool, passive, events, b } = setup({ maxFails: 2, failTimeoutMs: 10_000 });
  passive.record(b(0), { kind: "reset" });
  passive.record(b(0), { kind: "reset" });
  passive.record(b(0), { kind: "reset" });
  passive.record(b(0), { kind: "reset" });
  assert.equal(events.length, 1);
  clock.advance(10_000);
  passive.record(b(0), { kind: "reset" });
  assert.equal(pool.isUp(b(0)), true, "one new failure after the ejection is not two");
});

void test("consecutive 5xx: the Nth failure in a row ejects for baseEjectionMs × times ejected", () => {
  const { clock, pool, passive, events, b } = setup({ consecutive5xx: 3, baseEjectionMs: 30_000 });
  passive.record(b(0), { kind: "http_5xx", status: 500 });
  passive.record(b(0), { kind: "reset" });
  assert.equal(pool.isUp(b(0)), true);
  passive.record(b(0), { kind: "http_5xx", status: 500 });
  assert.equal(pool.isUp(b(0)), false);
  assert.deepEqual(events[0], {
    backend: b(0),
    reason: "3 consecutive failures (ejection 1), last status 500",
    untilMs: 1000 + 30_000,
  });

  clock.advance(30_000);
  assert.equal(pool.isUp(b(0)), true);
  for (let i = 0; i < 3; i++) passive.record(b(0), { kind: "http_5xx", status: 503 });
  assert.equal(events[1]?.untilMs, clock.now() + 60_000, "second ejection lasts twice as long");
});

void test("consecutive 5xx: a success resets the run", () => {
  const { pool, passive, b } = setup({ consecutive5xx: 3 });
  for (let i = 0; i < 5; i++) {
    passive.record(b(0), { kind: "http_5xx", status: 500 });
    passive.record(b(0), { kind: "http_5xx", status: 500 });
    passive.record(b(0), { kind: "success" });
  }
  assert.equal(pool.isUp(b(0)), true);
});

void test("consecutive 5xx: ejection time is capped and decays after quiet periods", () => {
  const { clock, passive, events, b } = setup({ consecutive5xx: 1, baseEjectionMs: 100_000 });
  const ejectFor = (): number => {
    passive.record(b(0), { kind: "http_5xx", status: 500 });
    const last = events.at(-1) as EjectionEvent;
    const duration = last.untilMs - clock.now();
    clock.advance(duration);
    return duration;
  };
  assert.deepEqual(
    [ejectFor(), ejectFor(), ejectFor(), ejectFor()],
    [100_000, 200_000, MAX_EJECTION_MS, MAX_EJECTION_MS],
  );
  clock.advance(2 * 100_000); // two base periods without an ejection: multiplier 4 → 2
  assert.equal(ejectFor(), MAX_EJECTION_MS, "multiplier 3 × 100 s is still capped");
  clock.advance(10 * 100_000);
  assert.equal(ejectFor(), 100_000, "a long quiet period starts again from the base time");
});

void test("max ejection percent: with 4 backends and 50%, at most 2 are ejected at once", () => {
  const { clock, pool, passive, events, b } = setup({ consecutive5xx: 2, maxEjectionPercent: 50 }, 4);
  for (let i = 0; i < 4; i++) {
    for (let n = 0; n < 5; n++) passive.record(b(i), { kind: "http_5xx", status: 503 });
  }
  assert.deepEqual(
    events.map((e) => e.backend.label),
    ["10.0.0.1:8080", "10.0.0.2:8080"],
  );
  assert.deepEqual(ids(pool.candidates()), ["10.0.0.3:8080", "10.0.0.4:8080"]);
  // Once one ejection ends, the next failure of a still-failing backend may take its place.
  clock.advance(30_000);
  passive.record(b(2), { kind: "http_5xx", status: 503 });
  assert.equal(events.at(-1)?.backend, b(2));
});

void test("max ejection percent: rounds down but always allows one ejection (1 of 3 at 10%)", () => {
  const { pool, passive, b } = setup({ consecutive5xx: 1, maxEjectionPercent: 10 }, 3);
  passive.record(b(0), { kind: "http_5xx", status: 500 });
  passive.record(b(1), { kind: "http_5xx", status: 500 });
  assert.deepEqual(ids(pool.candidates()), ["10.0.0.2:8080", "10.0.0.3:8080"]);
});

void test("max ejection percent 0 disables consecutive-5xx ejection", () => {
  const { pool, passive, b } = setup({ consecutive5xx: 1, maxEjectionPercent: 0 }, 3);
  passive.record(b(0), { kind: "http_5xx", status: 500 });
  assert.equal(pool.isUp(b(0)), true);
});

void test("the last backend that can take traffic is never ejected", () => {
  const single = setup({ maxFails: 1, consecutive5xx: 1, maxEjectionPercent: 100 }, 1);
  single.passive.record(single.b(0), { kind: "connect_error" });
  assert.equal(single.pool.isUp(single.b(0)), true);

  const pair = setup({ maxFails: 1, maxEjectionPercent: 100 }, 2);
  pair.passive.record(pair.b(0), { kind: "connect_error" });
  pair.passive.record(pair.b(1), { kind: "connect_error" });
  assert.deepEqual(ids(pair.pool.candidates()), ["10.0.0.2:8080"]);
});

void test("a throwing ejection listener does not break record()", () => {
  const { pool, passive, b } = setup({ maxFails: 1 });
  passive.onEjection(() => {
    throw new Error("listener bug");
  });
  passive.record(b(0), { kind: "reset" });
  assert.equal(pool.isUp(b(0)), false);
});
