import assert from "node:assert/strict";
import { test } from "node:test";
import type { StreamEvents } from "../../../../../src/admin/api-types.ts";
import { clientModule } from "./client-module.ts";

interface LogEntry {
  key: string;
  at: string;
  kind: string;
  tone: "bad" | "good" | "info";
  upstream: string;
  backend: string;
  text: string;
}
const { logEntry } = await clientModule<{
  logEntry: <K extends keyof StreamEvents>(name: K, data: StreamEvents[K], id: string) => LogEntry | null;
}>("event-log.js");

const at = "2026-12-01T10:00:00.000Z";

void test("an ejection names the backend, until when and why", () => {
  const entry = logEntry(
    "ejection",
    { at, upstream: "api", backend: "127.0.0.1:8002", reason: "5 consecutive 5xx", until: at },
    "4",
  );
  assert.equal(entry?.tone, "bad");
  assert.equal(entry.backend, "127.0.0.1:8002");
  assert.match(entry.text, /^ejected until \d\d:\d\d:\d\d: 5 consecutive 5xx$/);
});

void test("an analysis shows the numbers that decided it", () => {
  const entry = logEntry(
    "analysis",
    {
      at,
      upstream: "api",
      step: 1,
      share: 25,
      verdict: "fail",
      requests: 1204,
      errors: 30,
      errorRate: 0.0249,
      p99Ms: 2503,
      checks: [],
      reason: "p99 2503ms > 2000ms",
      failures: 2,
      idleIntervals: 0,
    },
    "5",
  );
  assert.equal(entry?.tone, "bad");
  assert.match(
    entry.text,
    /analysis fail at step 2 \(25%\): 1,204 requests, 30 errors \(2\.5%\), p99 2\.50 s/,
  );
  assert.match(entry.text, /p99 2503ms > 2000ms$/);
});

void test("a rollback is bad news, a promotion good; a refused reload lists its problems", () => {
  const transition = { at, upstream: "api", step: 1, share: 25, reason: "2 failed analyses", by: "analysis" };
  assert.equal(
    logEntry("canary", { ...transition, from: "progressing", to: "rolled_back" }, "1")?.tone,
    "bad",
  );
  assert.equal(logEntry("canary", { ...transition, from: "progressing", to: "promoted" }, "2")?.tone, "good");
  const refused = logEntry(
    "reload",
    { at, outcome: "rejected", upstreams: [], problems: ["upstreams.api.strategy: unknown"] },
    "3",
  );
  assert.deepEqual(
    [refused?.tone, refused?.text],
    ["bad", "config refused, old one kept: upstreams.api.strategy: unknown"],
  );
});

void test("snapshots are not log lines; the same id at another time is another event (ids restart with the process)", () => {
  assert.equal(logEntry("snapshot", { at, upstreams: [] }, "1"), null);
  const health = { upstream: "api", backend: "b", up: false, reason: "timeout" };
  const before = logEntry("health", { ...health, at }, "1");
  const after = logEntry("health", { ...health, at: "2026-12-01T10:05:00.000Z" }, "1");
  assert.notEqual(before?.key, after?.key);
});
