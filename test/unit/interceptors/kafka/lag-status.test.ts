import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluatePartitionStatus } from "../../../../interceptors/kafka/lag-status.ts";
import type { LagObservation } from "../../../../interceptors/kafka/lag-status.ts";

const rules = { windowSize: 4, stopAfterMs: 100_000 };

function window(rows: [committed: number | undefined, lag: number][]): LagObservation[] {
  return rows.map(([committedOffset, lag], i) => ({ atMs: i * 1000, committedOffset, lag }));
}

void test("Burrow-like rules: OK, WARN, STALL, STOP", () => {
  const now = 3000;
  const cases: [string, LagObservation[], number, string][] = [
    [
      "caught up at some point in the window",
      window([
        [1, 5],
        [2, 0],
        [3, 4],
        [4, 9],
      ]),
      3000,
      "OK",
    ],
    [
      "consuming and lag shrinking",
      window([
        [1, 9],
        [5, 7],
        [9, 5],
        [12, 3],
      ]),
      3000,
      "OK",
    ],
    [
      "consuming but lag never decreases",
      window([
        [1, 5],
        [3, 6],
        [5, 6],
        [7, 8],
      ]),
      3000,
      "WARN",
    ],
    [
      "committed offset not moving while lag > 0",
      window([
        [4, 5],
        [4, 6],
        [4, 6],
        [4, 9],
      ]),
      0,
      "STALL",
    ],
    [
      "no commit for longer than stopAfterMs",
      window([
        [4, 5],
        [4, 6],
        [4, 6],
        [4, 9],
      ]),
      now - 100_000,
      "STOP",
    ],
    [
      "window not full yet: no WARN/STALL verdict",
      window([
        [4, 5],
        [4, 6],
      ]),
      0,
      "OK",
    ],
    [
      "no committed offset at all counts as not moving",
      window([
        [undefined, 3],
        [undefined, 3],
        [undefined, 4],
        [undefined, 4],
      ]),
      0,
      "STALL",
    ],
  ];
  for (const [name, observations, since, expected] of cases) {
    assert.equal(evaluatePartitionStatus(observations, since, now, rules), expected, name);
  }
});
