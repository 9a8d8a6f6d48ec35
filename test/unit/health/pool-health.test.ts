import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { HealthCheckConfig } from "../../../src/config/types.ts";
import { ActiveHealthChecker } from "../../../src/health/active-checker.ts";
import type { Backend } from "../../../src/pool/backend.ts";
import type { BackendSpec } from "../../../src/config/types.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { FakeScheduler } from "./fake-scheduler.ts";

// How the pool turns health verdicts into candidates: backups, slow start, all down, panic mode.

const servers: TestBackend[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.kill()));
});

async function healthEndpoint(name: string): Promise<{ url: string; status: { current: number } }> {
  const status = { current: 200 };
  const server = await startBackend(name, (req, res) => {
    req.resume();
    res.writeHead(status.current).end();
  });
  servers.push(server);
  return { url: server.url, status };
}

const hc: HealthCheckConfig = {
  enabled: true,
  path: "/healthz",
  intervalMs: 5000,
  timeoutMs: 1000,
  unhealthyThreshold: 1,
  healthyThreshold: 1,
  expectStatus: [{ min: 200, max: 399 }],
  jitter: 0,
};

function poolWith(specs: readonly BackendSpec[], opts: { slowStartMs?: number; panicMode?: boolean } = {}) {
  const clock = new ManualClock(0);
  const pool = new UpstreamPool("app", specs, {
    clock,
    slowStartMs: opts.slowStartMs ?? 0,
    panicMode: opts.panicMode ?? false,
  });
  const checker = new ActiveHealthChecker(hc, pool, {
    clock,
    random: seededRandom(1),
    scheduler: new FakeScheduler(),
  });
  return { clock, pool, checker };
}

const names = (pool: UpstreamPool): string[] => pool.candidates().map((b) => b.id);

void test("backups serve only while no primary is healthy", async () => {
  const p1 = await healthEndpoint("p1");
  const p2 = await healthEndpoint("p2");
  const bk = await healthEndpoint("backup");
  const { pool, checker } = poolWith([
    { url: p1.url, weight: 1, backup: false },
    { url: p2.url, weight: 1, backup: false },
    { url: bk.url, weight: 1, backup: true },
  ]);
  await checker.runRound();
  assert.deepEqual(names(pool), [p1.url, p2.url]);

  p1.status.current = 500;
  await checker.runRound();
  assert.deepEqual(names(pool), [p2.url], "one primary left: backup still idle");

  p2.status.current = 503;
  await checker.runRound();
  assert.deepEqual(names(pool), [bk.url], "no primary: the backup serves");

  p2.status.current = 200;
  await checker.runRound();
  assert.deepEqual(names(pool), [p2.url], "a primary recovered: the backup stops");
});

void test("slow start ramps effectiveWeight linearly after a backend recovers", async () => {
  const a = await healthEndpoint("a");
  const b = await healthEndpoint("b");
  const { clock, pool, checker } = poolWith(
    [
      { url: a.url, weight: 10, backup: false },
      { url: b.url, weight: 10, backup: false },
    ],
    { slowStartMs: 10_000 },
  );
  const backendB = pool.backends[1] as Backend;
  pool.candidates();
  assert.equal(backendB.effectiveWeight, 10, "backends present at start-up get full weight at once");

  b.status.current = 500;
  await checker.runRound();
  clock.advance(60_000);
  b.status.current = 200;
  await checker.runRound();
  assert.deepEqual(names(pool), [a.url, b.url]);

  const weights: number[] = [];
  for (let t = 0; t <= 12_000; t += 2000) {
    pool.candidates();
    weights.push(backendB.effectiveWeight);
    clock.advance(2000);
  }
  // Never 0 (it must still be picked), then linear to full weight over slowStartMs.
  assert.deepEqual(weights, [0.1, 2, 4, 6, 8, 10, 10]);
  assert.equal((pool.backends[0] as Backend).effectiveWeight, 10);
});

void test("when every backend is down, candidates() is empty (the proxy answers 503)", async () => {
  const a = await healthEndpoint("a");
  const bk = await healthEndpoint("bk");
  const { pool, checker } = poolWith([
    { url: a.url, weight: 1, backup: false },
    { url: bk.url, weight: 1, backup: true },
  ]);
  a.status.current = 500;
  bk.status.current = 500;
  await checker.runRound();
  assert.deepEqual(names(pool), []);
});

void test("panic mode offers every primary when nothing is healthy", async () => {
  const a = await healthEndpoint("a");
  const b = await healthEndpoint("b");
  const bk = await healthEndpoint("bk");
  const { pool, checker } = poolWith(
    [
      { url: a.url, weight: 1, backup: false },
      { url: b.url, weight: 1, backup: false },
      { url: bk.url, weight: 1, backup: true },
    ],
    { panicMode: true },
  );
  for (const s of [a, b, bk]) s.status.current = 500;
  await checker.runRound();
  assert.deepEqual(names(pool), [a.url, b.url]);
  b.status.current = 200;
  await checker.runRound();
  assert.deepEqual(names(pool), [b.url], "panic ends as soon as one backend is healthy");
});
