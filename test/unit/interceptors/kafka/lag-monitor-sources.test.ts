import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Admin } from "kafkajs";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { createLagMonitor } from "../../../../interceptors/kafka/index.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

// Two sources the lag exporter gives the monitor: the groups to watch, asked before every poll,
// and the timestamp of the message at a committed offset, which lag in seconds then comes from.
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

/** Every group has committed 5 on partition 0 of "orders", whose log ends at 9. */
function admin(): Pick<Admin, "connect" | "disconnect" | "fetchOffsets" | "fetchTopicOffsets"> {
  return {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchOffsets: () =>
      Promise.resolve([{ topic: "orders", partitions: [{ partition: 0, offset: "5", metadata: null }] }]),
    fetchTopicOffsets: () => Promise.resolve([{ partition: 0, offset: "9", high: "9", low: "0" }]),
  };
}

void test("groups from a function are asked before every poll; a group no longer named is dropped", async () => {
  let groups = ["a", "b"];
  const monitor = createLagMonitor({
    admin: admin(),
    groupIds: () => Promise.resolve(groups),
    meterProvider: telemetry.meterProvider,
    clock: new ManualClock(0),
  });
  assert.deepEqual(
    (await monitor.poll()).map((r) => r.groupId),
    ["a", "b"],
  );
  groups = ["b", "c"];
  assert.deepEqual(
    (await monitor.poll()).map((r) => r.groupId),
    ["b", "c"],
  );
  assert.equal(
    await telemetry.value("traceway.messaging.kafka.consumer_group.lag", {
      "messaging.consumer.group.name": "a",
    }),
    undefined,
  );
});

void test("a failing group listing keeps polling the last groups, and is counted", async () => {
  let fail = false;
  const monitor = createLagMonitor({
    admin: admin(),
    groupIds: () => (fail ? Promise.reject(new Error("no coordinator")) : Promise.resolve(["x"])),
    meterProvider: telemetry.meterProvider,
    clock: new ManualClock(0),
  });
  await monitor.poll();
  fail = true;
  assert.deepEqual(
    (await monitor.poll()).map((r) => r.groupId),
    ["x"],
  );
  assert.equal(
    await telemetry.value("traceway.messaging.kafka.lag_monitor.errors", { "error.type": "Error" }),
    1,
  );
});

void test("lag in seconds is the age of the message at the committed offset when its timestamp can be read", async () => {
  const read: string[] = [];
  let now = 100_000;
  const monitor = createLagMonitor({
    admin: admin(),
    groupIds: ["g"],
    meterProvider: telemetry.meterProvider,
    clock: new ManualClock(0),
    now: () => now,
    messageTimestamp: (topic, partition, offset) => {
      read.push(`${topic}/${partition}@${offset}`);
      return Promise.resolve(offset === 5 ? 40_000 : undefined);
    },
  });
  assert.equal((await monitor.poll())[0]?.lagSeconds, 60);
  now += 5000;
  assert.equal((await monitor.poll())[0]?.lagSeconds, 65);
  assert.deepEqual(read, ["orders/0@5", "orders/0@5"]);
});
