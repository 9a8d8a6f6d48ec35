import assert from "node:assert/strict";
import { test } from "node:test";
import type { BackendView, SnapshotEvent } from "../../../../../src/admin/api-types.ts";
import { clientModule } from "./client-module.ts";

interface Series {
  t: number[];
  rps: number[];
  p99: (number | null)[];
}
const { createHistory, HISTORY_POINTS } = await clientModule<{
  HISTORY_POINTS: number;
  createHistory: () => {
    record(s: SnapshotEvent): void;
    get(upstream: string, id: string): Series | undefined;
  };
}>("history.js");

const backend = (id: string, rps: number, p99Ms: number | null): BackendView =>
  ({ id, name: id.replace("http://", ""), rps, p99Ms }) as BackendView;

const snapshot = (second: number, backends: BackendView[]): SnapshotEvent => ({
  at: new Date(Date.UTC(2026, 11, 1, 10, 0, second)).toISOString(),
  upstreams: [{ name: "api", strategy: "round_robin", discovery: "static", backends, canary: null }],
});

void test("each snapshot adds one point per backend: its time, requests/s and p99 (null stays null)", () => {
  const history = createHistory();
  history.record(snapshot(0, [backend("http://a", 10, 12)]));
  history.record(snapshot(1, [backend("http://a", 12, null)]));
  const t0 = Date.UTC(2026, 11, 1, 10, 0, 0) / 1000;
  assert.deepEqual(history.get("api", "http://a"), { t: [t0, t0 + 1], rps: [10, 12], p99: [12, null] });
});

void test("the same snapshot twice (a reconnect replays the latest) adds no second point", () => {
  const history = createHistory();
  history.record(snapshot(0, [backend("http://a", 10, 12)]));
  history.record(snapshot(0, [backend("http://a", 10, 12)]));
  assert.equal(history.get("api", "http://a")?.t.length, 1);
});

void test("a series keeps the last 120 points; a backend gone from the snapshot is forgotten", () => {
  const history = createHistory();
  for (let s = 0; s < HISTORY_POINTS + 30; s++) {
    history.record(snapshot(s, [backend("http://a", s, s), backend("http://b", 1, 1)]));
  }
  const a = history.get("api", "http://a");
  assert.equal(HISTORY_POINTS, 120);
  assert.equal(a?.rps.length, HISTORY_POINTS);
  assert.equal(a.rps[0], 30);
  history.record(snapshot(200, [backend("http://a", 1, 1)]));
  assert.equal(history.get("api", "http://b"), undefined);
});
