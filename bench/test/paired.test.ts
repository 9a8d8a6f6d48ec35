import assert from "node:assert/strict";
import { test } from "node:test";
import { paired } from "../lib/paired.ts";
import type { RoundResult, ScenarioResult, ScenarioRow } from "../lib/scenarios.ts";
import { SMALL } from "../lib/profile.ts";

function row(target: string, byRound: RoundResult[]): ScenarioRow {
  return {
    target,
    rounds: byRound.length,
    rps: 0,
    rpsSpreadPct: 0,
    p50Ms: 0,
    p99Ms: 0,
    p999Ms: 0,
    cpuMicrosPerRequest: 0,
    preemptionsPerKRequests: 0,
    socketErrors: 0,
    httpErrors: 0,
    requests: 0,
    byRound,
  };
}

test("paired rows are compared within each round both ran: median, lowest and highest ratio, CPU added", () => {
  const result: ScenarioResult = {
    scenario: SMALL,
    rows: [
      row("on", [
        { round: 0, rps: 900, cpuMicrosPerRequest: 110 },
        { round: 1, rps: 450, cpuMicrosPerRequest: 120 },
        { round: 2, rps: 1000, cpuMicrosPerRequest: 100 },
        { round: 3, rps: 5, cpuMicrosPerRequest: 1 },
      ]),
      row("off", [
        { round: 0, rps: 1000, cpuMicrosPerRequest: 100 },
        { round: 1, rps: 500, cpuMicrosPerRequest: 100 },
        { round: 2, rps: 1000, cpuMicrosPerRequest: 100 },
      ]),
    ],
  };
  assert.deepEqual(paired(result, ["on", "off", "x"]), {
    scenario: SMALL.name,
    what: "x",
    rounds: 3,
    rpsRatio: 0.9,
    rpsRatioMin: 0.9,
    rpsRatioMax: 1,
    cpuMicrosAdded: 10,
  });
  assert.equal(paired(result, ["on", "missing", "x"]), undefined);
});
