import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { Admin } from "kafkajs";
import { ManualClock } from "../../../../src/shared/clock.ts";
import { createLagMonitor } from "../../../../interceptors/kafka/index.ts";
import { createTestTelemetry } from "./telemetry-fixture.ts";

const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

type Offsets = Record<number, { low: number; high: number }>;

function fakeAdmin(state: { committed: Record<number, number>; topic: Offsets; fail?: boolean }) {
  const admin: Pick<Admin, "connect" | "disconnect" | "fetchOffsets" | "fetchTopicOffsets"> = {
    connect: () => Promise.resolve(),
    disconnect: () => Promise.resolve(),
    fetchOffsets: () => {
      if (state.fail === true) return Promise.reject(new RangeError("coordinator not available"));
      return Promise.resolve([
        {
          topic: "orders",
          partitions: Object.keys(state.topic).map((p) => ({
            partition: Number(p),
            offset: String(state.committed[Number(p)] ?? -1),
            metadata: null,
          })),
        },
      ]);
    },
    fetchTopicOffsets: () =>
      Promise.resolve(
        Object.entries(state.topic).map(([p, o]) => ({
          partition: Number(p),
          offset: String(o.high),
          high: String(o.high),
          low: String(o.low),
        })),
      ),
  };
  return admin;
}

void test("committed-offset lag: clamped to the log start, no commit counts high − low, status and time lag", async () => {
  const clock = new ManualClock(0);
  const state = {
    committed: { 0: 40, 1: 5 } as Record<number, number>,
    topic: { 0: { low: 0, high: 50 }, 1: { low: 20, high: 30 }, 2: { low: 3, high: 10 } } as Offsets,
    fail: false,
  };
  const monitor = createLagMonitor({
    admin: fakeAdmin(state),
    groupIds: ["g1"],
    meterProvider: telemetry.meterProvider,
    clock,
    intervalMs: 1000,
    statusWindow: 3,
    stopAfterMs: 10_000,
  });
  const rows = await monitor.poll();
  assert.deepEqual(
    rows.map((r) => [r.partition, r.lag, r.status]),
    [
      [0, 10, "OK"],
      [1, 10, "OK"], // committed 5 < low 20: deleted segments are not lag
      [2, 7, "OK"], // no commit: everything retained
    ],
  );
  const labels = { "messaging.consumer.group.name": "g1", "messaging.destination.name": "orders" };
  assert.equal(
    await telemetry.value("traceway.messaging.kafka.consumer_group.lag", {
      ...labels,
      "messaging.destination.partition.id": "1",
    }),
    10,
  );

  // Partition 0 keeps consuming but falls further behind; partition 1 stops committing.
  for (const [committed0, high0] of [
    [42, 60],
    [44, 70],
  ] as const) {
    clock.advance(1000);
    state.committed[0] = committed0;
    state.topic[0] = { low: 0, high: high0 };
    await monitor.poll();
  }
  const byPartition = new Map(monitor.latest().map((r) => [r.partition, r]));
  assert.equal(byPartition.get(0)?.status, "WARN");
  assert.equal(byPartition.get(1)?.status, "STALL");
  // One series per status, 1 for the current one (kube-state-metrics style).
  for (const [partition, current] of [
    ["0", "WARN"],
    ["1", "STALL"],
  ] as const) {
    for (const status of ["OK", "WARN", "STALL", "STOP"]) {
      assert.equal(
        await telemetry.value("traceway.messaging.kafka.consumer_group.status", {
          ...labels,
          "messaging.destination.partition.id": partition,
          "traceway.kafka.lag.status": status,
        }),
        status === current ? 1 : 0,
        `partition ${partition}, ${status}`,
      );
    }
  }
  // Offset 44 was already below the first high watermark seen (50 at t=0): older than the history,
  // so the estimate is the lower bound "time since the first sample" = 2 s.
  assert.equal(byPartition.get(0)?.lagSeconds, 2);
  assert.equal(
    await telemetry.value("traceway.messaging.kafka.consumer_group.time_lag", {
      ...labels,
      "messaging.destination.partition.id": "0",
    }),
    2,
  );

  clock.advance(10_000);
  await monitor.poll();
  assert.equal(monitor.latest().find((r) => r.partition === 1)?.status, "STOP");

  state.fail = true;
  await monitor.poll();
  assert.equal(monitor.latest().length, 3, "a failed poll keeps the last good rows");
  assert.equal(
    await telemetry.value("traceway.messaging.kafka.lag_monitor.errors", {
      "messaging.consumer.group.name": "g1",
      "error.type": "RangeError",
    }),
    1,
  );
  assert.equal(
    (await telemetry.metric("traceway.messaging.kafka.lag_monitor.errors"))?.descriptor.unit,
    "{error}",
  );
});
