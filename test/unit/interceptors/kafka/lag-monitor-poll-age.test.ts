import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Admin } from "kafkajs";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { createLagMonitor } from "../../../../interceptors/kafka/index.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

const POLL_AGE = "traceway.messaging.kafka.lag_monitor.poll_age";

void test("poll age grows while polls fail (the lag gauges are frozen then) and is 0 after a good poll", async () => {
  const clock = new ManualClock(0);
  let fail = false;
  const admin: Pick<Admin, "connect" | "disconnect" | "fetchOffsets" | "fetchTopicOffsets"> = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchOffsets: () =>
      fail
        ? Promise.reject(new Error("coordinator not available"))
        : Promise.resolve([{ topic: "orders", partitions: [{ partition: 0, offset: "5", metadata: null }] }]),
    fetchTopicOffsets: () => Promise.resolve([{ partition: 0, offset: "9", high: "9", low: "0" }]),
  };
  const monitor = createLagMonitor({
    admin,
    groupIds: ["g-age"],
    meterProvider: telemetry.meterProvider,
    clock,
  });
  const group = { "messaging.consumer.group.name": "g-age" };

  await monitor.poll();
  assert.equal(await telemetry.value(POLL_AGE, group), 0);
  clock.advance(5_000);
  assert.equal(await telemetry.value(POLL_AGE, group), 5, "measured at collection, not at the poll");

  fail = true;
  clock.advance(10_000);
  await monitor.poll();
  assert.equal(await telemetry.value(POLL_AGE, group), 15, "a failed poll does not reset it");
  assert.equal(monitor.latest()[0]?.lag, 4, "while the lag rows keep their last good values");

  fail = false;
  await monitor.poll();
  assert.equal(await telemetry.value(POLL_AGE, group), 0);
  assert.equal((await telemetry.metric(POLL_AGE))?.descriptor.unit, "s");
});
