import assert from "node:assert/strict";
import { test } from "node:test";
import { evaluateThresholds, parseThreshold, type StepValues } from "../../../src/load/thresholds.ts";

test("k6-style expressions parse to a metric, an operator and a value in the metric's unit", () => {
  const cases: Array<[string, unknown, string, number]> = [
    ["p99<2s", { kind: "percentile", percentile: 99 }, "<", 2000],
    ["p(95)<500", { kind: "percentile", percentile: 95 }, "<", 500],
    ["p95 <= 500ms", { kind: "percentile", percentile: 95 }, "<=", 500],
    ["p99.9<250us", { kind: "percentile", percentile: 99.9 }, "<", 0.25],
    ["med<10ms", { kind: "percentile", percentile: 50 }, "<", 10],
    ["avg<1.5s", { kind: "mean" }, "<", 1500],
    ["max<1m", { kind: "max" }, "<", 60_000],
    ["errors<0.5%", { kind: "errors" }, "<", 0.005],
    ["errors<=0.01", { kind: "errors" }, "<=", 0.01],
    ["rps>1000", { kind: "rps" }, ">", 1000],
    ["rps>=2500/s", { kind: "rps" }, ">=", 2500],
  ];
  for (const [text, metric, operator, value] of cases) {
    const t = parseThreshold(text);
    assert.deepEqual([t.metric, t.operator, t.value], [metric, operator, value], text);
  }
});

test("bad expressions are refused with a message that quotes them and names the problem", () => {
  const cases: Array<[string, string]> = [
    ["p99<2x", 'bad threshold "p99<2x": "2x" is not a duration; write e.g. 500ms, 2s or 250us'],
    ["p99 2s", 'bad threshold "p99 2s": no comparison; use <, <=, > or >= as in p99<2s'],
    [
      "latency<2s",
      'bad threshold "latency<2s": unknown metric "latency"; known: p50, p90, p95, p99, p99.9, p(N), med, mean, avg, min, max, errors, rps',
    ],
    [
      "erors<1%",
      'bad threshold "erors<1%": unknown metric "erors" (did you mean errors?); known: p50, p90, p95, p99, p99.9, p(N), med, mean, avg, min, max, errors, rps',
    ],
    [
      "errors<150%",
      'bad threshold "errors<150%": "150%" is above 100%; write a percentage (0.5%) or a fraction (0.005)',
    ],
    ["errors<lots", 'bad threshold "errors<lots": "lots" is not a rate; write e.g. 0.5% or 0.005'],
    ["rps>fast", 'bad threshold "rps>fast": "fast" is not a request rate; write e.g. 1000'],
    ["p99<", 'bad threshold "p99<": expected <metric><op><value>, e.g. p99<2s, errors<0.5%, rps>1000'],
    ["p0<1s", 'bad threshold "p0<1s": percentile 0 is outside 0 < p ≤ 100'],
  ];
  for (const [text, message] of cases) assert.throws(() => parseThreshold(text), { message }, text);
});

test("each threshold is held or broken by the step's own value, reported in its unit", () => {
  const step: StepValues = {
    percentileMs: (p) => (p === 99 ? 120 : p === 95 ? 80 : 10),
    meanMs: 12,
    minMs: 1,
    maxMs: 900,
    errorRate: 0.004,
    throughput: 1500,
  };
  const outcomes = evaluateThresholds(
    ["p99<100ms", "p95<100", "errors<0.5%", "errors<0.1%", "rps>1000", "rps>=2000", "max<=900ms"].map(
      parseThreshold,
    ),
    step,
  );
  assert.deepEqual(
    outcomes.map((o) => [o.expression, o.held, o.actual, o.unit]),
    [
      ["p99<100ms", false, 120, "ms"],
      ["p95<100", true, 80, "ms"],
      ["errors<0.5%", true, 0.004, "ratio"],
      ["errors<0.1%", false, 0.004, "ratio"],
      ["rps>1000", true, 1500, "req/s"],
      ["rps>=2000", false, 1500, "req/s"],
      ["max<=900ms", true, 900, "ms"],
    ],
  );
});
