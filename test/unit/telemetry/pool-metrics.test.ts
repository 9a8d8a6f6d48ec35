import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type { DataPoint } from "@opentelemetry/sdk-metrics";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import { telemetryUnderTest, type TelemetryUnderTest } from "./telemetry-fixture.ts";

const A = "127.0.0.1:7101";
const B = "127.0.0.1:7102";

describe("observePool / healthEvents", () => {
  let t: TelemetryUnderTest;
  const pool = new UpstreamPool(
    "api",
    [`http://${A}`, `http://${B}`].map((url) => ({ url, weight: 1, backup: false })),
    { clock: new ManualClock(0), slowStartMs: 0, panicMode: false },
  );
  before(async () => {
    t = await telemetryUnderTest({ logging: { level: "silent" } });
  });
  after(() => t.telemetry.shutdown());

  async function points(name: string): Promise<[string | undefined, number][]> {
    const { resourceMetrics } = await t.reader.collect();
    for (const scope of resourceMetrics.scopeMetrics)
      for (const m of scope.metrics)
        if (m.descriptor.name === name && m.dataPointType !== DataPointType.HISTOGRAM)
          return (m.dataPoints as DataPoint<number>[])
            .map((p): [string | undefined, number] => [
              [p.attributes["traceway.backend"], p.attributes["traceway.backend.state"]]
                .filter(Boolean)
                .join(" "),
              p.value,
            ])
            .sort();
    return [];
  }

  it("reports each backend's health (1/0) and in-flight count read from the pool at collection", async () => {
    const stop = t.telemetry.observePool(pool);
    const [a] = pool.backends;
    a!.inFlight = 3;
    pool.setActiveStatus(a!, false);
    assert.deepEqual(await points("traceway.upstream.backend.up"), [
      [A, 0],
      [B, 1],
    ]);
    assert.deepEqual(await points("traceway.upstream.requests.in_flight"), [
      [A, 3],
      [B, 0],
    ]);
    pool.setActiveStatus(a!, true);
    assert.deepEqual(await points("traceway.upstream.backend.transitions"), [
      [`${A} down`, 1],
      [`${A} up`, 1],
    ]);
    stop();
  });

  it("counts ejections reported through healthEvents", async () => {
    t.telemetry.healthEvents.onEjection({
      upstream: "api",
      backend: B,
      reason: "5 consecutive failures",
      untilMs: 1,
    });
    t.telemetry.healthEvents.onEjection({
      upstream: "api",
      backend: B,
      reason: "5 consecutive failures",
      untilMs: 2,
    });
    assert.deepEqual(await points("traceway.upstream.backend.ejections"), [[B, 2]]);
  });

  it("reports a connection queue's length", async () => {
    const queue = { length: 4 };
    const stop = t.telemetry.observeQueue("api", queue);
    const { resourceMetrics } = await t.reader.collect();
    const data = resourceMetrics.scopeMetrics
      .flatMap((s) => s.metrics)
      .find((m) => m.descriptor.name === "traceway.upstream.queue.length");
    assert.deepEqual(
      (data?.dataPoints as DataPoint<number>[]).map((p) => [p.attributes, p.value]),
      [[{ "traceway.upstream": "api" }, 4]],
    );
    stop();
  });
});
