import assert from "node:assert/strict";
import { test } from "node:test";
import { WallClock } from "../../../../interceptors/kafka/kafka-telemetry.ts";

void test("wall time from the monotonic clock: the system clock is read at most once a second", () => {
  let systemNow = 1_700_000_000_000;
  let reads = 0;
  const clock = new WallClock(() => {
    reads += 1;
    return systemNow;
  }, true);
  assert.equal(clock.at(500), 1_700_000_000_000);
  assert.equal(clock.at(900), 1_700_000_000_400, "derived: no read");
  assert.equal(reads, 1);
  systemNow += 5_000; // an NTP step forward
  assert.equal(clock.at(1_400), 1_700_000_000_900, "still within the second");
  assert.equal(clock.at(1_600), 1_700_000_005_000, "re-read after a second: the step shows");
  assert.equal(reads, 2);
  assert.equal(clock.at(100), 1_700_000_005_000, "a reading before the last sync re-reads too");
});

void test("with a caller's clock or now, every reading asks now", () => {
  let reads = 0;
  const clock = new WallClock(() => 42 + reads++, false);
  assert.deepEqual([clock.at(1), clock.at(1)], [42, 43]);
});
