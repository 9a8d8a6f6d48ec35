import assert from "node:assert/strict";
import { test } from "node:test";
import { proxyConfig } from "../lib/nginx-configs.ts";
import { SMALL } from "../lib/profile.ts";
import type { ScenarioRow } from "../lib/scenarios.ts";
import { renderWorkers, WORKER_ROWS, workersScaling } from "../lib/workers-section.ts";

function row(target: string, rps: number, failure?: string): ScenarioRow {
  const base = {
    target,
    rounds: failure === undefined ? 3 : 0,
    rps,
    rpsSpreadPct: 2,
    p50Ms: 1,
    p99Ms: 5,
    p999Ms: 9,
    cpuMicrosPerRequest: 100,
    preemptionsPerKRequests: 50,
    socketErrors: 0,
    httpErrors: 0,
    requests: rps * 6,
    byRound: [],
  };
  return failure === undefined ? base : { ...base, failure };
}

test("scaling is each proxy's 2-worker req/s over its 1-worker req/s, and traceway's over nginx's", () => {
  const rows = [
    row(WORKER_ROWS.traceway1, 4000),
    row(WORKER_ROWS.traceway2, 5200),
    row(WORKER_ROWS.nginx1, 10_000),
    row(WORKER_ROWS.nginx2, 14_000),
  ];
  const s = workersScaling(rows);
  assert.equal(s.traceway, 1.3);
  assert.equal(s.nginx, 1.4);
  assert.equal(s.relative, 1.3 / 1.4);
  const text = renderWorkers({ scenario: SMALL, rows, scaling: s });
  assert.match(text, /traceway's ÷ nginx's \(target ≥ 0\.9×\) \| 0\.93× \(holds: yes\)/);
});

test("a row that did not run leaves its scaling unknown, never a number", () => {
  const rows = [
    row(WORKER_ROWS.traceway1, 4000),
    row(WORKER_ROWS.traceway2, 0, "failed to start: port taken"),
    row(WORKER_ROWS.nginx1, 10_000),
    row(WORKER_ROWS.nginx2, 14_000),
  ];
  const s = workersScaling(rows);
  assert.ok(Number.isNaN(s.traceway));
  assert.ok(Number.isNaN(s.relative));
  assert.equal(s.nginx, 1.4);
  assert.match(renderWorkers({ scenario: SMALL, rows, scaling: s }), /\(holds: –\)/);
});

test("the nginx target's worker_processes follows the count asked for", () => {
  assert.match(proxyConfig("/tmp/x", 1, [2, 3, 4]), /^worker_processes 1;$/m);
  assert.match(proxyConfig("/tmp/x", 1, [2, 3, 4], 2), /^worker_processes 2;$/m);
});
