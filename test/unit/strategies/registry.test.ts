import assert from "node:assert/strict";
import { test } from "node:test";
import type { StrategyName } from "../../../src/config/types.ts";
import { TracewayError } from "../../../src/errors.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { createStrategy, strategyNames } from "../../../src/strategies/registry.ts";

const deps = { random: seededRandom(1), clock: new ManualClock() };

void test("registry knows every strategy name and creates independent instances", () => {
  assert.deepEqual([...strategyNames].sort(), [
    "consistent_hash",
    "ewma",
    "ip_hash",
    "ip_hash_nginx",
    "least_conn",
    "p2c",
    "random",
    "round_robin",
    "weighted_round_robin",
  ]);
  for (const name of strategyNames) {
    const a = createStrategy(name, deps);
    assert.equal(typeof a.pick, "function");
    assert.notEqual(a, createStrategy(name, deps));
  }
});

void test("registry rejects an unknown name with UNKNOWN_STRATEGY listing the known names", () => {
  for (const bad of ["least_connections", "toString", "__proto__"]) {
    assert.throws(
      () => createStrategy(bad as StrategyName, deps),
      (err: unknown) => {
        assert.ok(err instanceof TracewayError);
        assert.equal(err.code, "TRACEWAY_ERR_UNKNOWN_STRATEGY");
        assert.match(err.message, new RegExp(`"${bad}"`));
        for (const name of strategyNames) assert.ok(err.message.includes(name), name);
        return true;
      },
    );
  }
});
