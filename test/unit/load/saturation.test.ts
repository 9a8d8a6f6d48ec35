import assert from "node:assert/strict";
import { test } from "node:test";
import { generatorLoad, type SaturationInput } from "../../../src/load/saturation.ts";

const base: SaturationInput = {
  mode: "connections",
  cores: 2,
  workerCpu: [
    { cpuMs: 500, wallMs: 1000 },
    { cpuMs: 300, wallMs: 1000 },
  ],
  targetRate: undefined,
  sentRate: 0,
  queued: 0,
  maxConnections: 1000,
};

test("workers with CPU to spare and an on-time schedule: not the limit", () => {
  assert.deepEqual(generatorLoad(base), {
    workers: 2,
    cpuPerCore: 0.4,
    maxWorkerCpu: 0.5,
    saturated: false,
    reasons: [],
  });
});

test("one worker thread at 90% of a core makes the step generator-limited", () => {
  const load = generatorLoad({
    ...base,
    workerCpu: [
      { cpuMs: 900, wallMs: 1000 },
      { cpuMs: 100, wallMs: 1000 },
    ],
  });
  assert.deepEqual([load.saturated, load.reasons], [true, ["generator CPU at 90% of a core per worker"]]);
});

test("the open model sending under 95% of its schedule is limited, with the cause named", () => {
  const rate = { ...base, mode: "rate" as const, targetRate: 1000 };
  assert.equal(generatorLoad({ ...rate, sentRate: 950 }).saturated, false);
  assert.deepEqual(generatorLoad({ ...rate, sentRate: 900, queued: 40, maxConnections: 8 }).reasons, [
    "sent 90% of the target rate: all 8 connections were busy (raise --connections)",
  ]);
  assert.deepEqual(generatorLoad({ ...rate, sentRate: 500 }).reasons, [
    "sent 50% of the target rate: the generator fell behind its schedule",
  ]);
});
