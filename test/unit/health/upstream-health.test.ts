import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHealth, retriedStatuses, type HealthEvents } from "../../../src/health/upstream-health.ts";
import type { Backend } from "../../../src/pool/backend.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { FakeScheduler } from "./fake-scheduler.ts";

const servers: TestBackend[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.kill()));
});

function recorder() {
  const changes: Parameters<HealthEvents["onHealthChange"]>[0][] = [];
  const ejections: Parameters<HealthEvents["onEjection"]>[0][] = [];
  const events: HealthEvents = {
    onHealthChange: (e) => changes.push(e),
    onEjection: (e) => ejections.push(e),
  };
  return { changes, ejections, events };
}

void test("retriedStatuses keeps the http_ conditions of retry.on", () => {
  assert.deepEqual(
    [...retriedStatuses(["error", "timeout", "http_502", "http_503", "http_429"])],
    [502, 503, 429],
  );
});

void test("createHealth wires the active checker to the pool and reports transitions by upstream and label", async () => {
  const server = await startBackend("down", (req, res) => {
    req.resume();
    res.writeHead(500).end();
  });
  servers.push(server);
  const base = testUpstream("api", [server.url]);
  const config = { ...base, healthCheck: { ...base.healthCheck, enabled: true, unhealthyThreshold: 1 } };
  const clock = new ManualClock();
  const pool = new UpstreamPool("api", config.backends, { clock, slowStartMs: 0, panicMode: false });
  const scheduler = new FakeScheduler();
  const { changes, events } = recorder();
  const health = createHealth(config, pool, { clock, random: seededRandom(1), events, scheduler });
  assert.ok(health.active);
  health.start();
  scheduler.fireAll();
  await waitFor(() => changes.length === 1, { what: "the backend to be marked down", intervalMs: 5 });
  assert.deepEqual(changes, [
    { upstream: "api", backend: new URL(server.url).host, up: false, reason: "status 500" },
  ]);
  health.stop();
  assert.equal(scheduler.pending.size, 0);
});

void test("createHealth counts the statuses retry.on lists toward max_fails and reports ejections", () => {
  const config = testUpstream("api", ["http://10.0.0.1:8080", "http://10.0.0.2:8080"], {
    passive: {
      maxFails: 1,
      failTimeoutMs: 5000,
      consecutive5xx: 0,
      baseEjectionMs: 30_000,
      maxEjectionPercent: 50,
    },
    retry: { tries: 2, timeoutMs: 0, on: ["error", "http_503"] },
  });
  const clock = new ManualClock(100);
  const pool = new UpstreamPool("api", config.backends, { clock, slowStartMs: 0, panicMode: false });
  const { ejections, events } = recorder();
  const health = createHealth(config, pool, { clock, random: seededRandom(1), events });
  const [a, b] = pool.backends as [Backend, Backend];
  health.passive.record(a, { kind: "http_5xx", status: 500 });
  assert.equal(pool.isUp(a), true, "500 is not in retry.on");
  health.passive.record(b, { kind: "http_5xx", status: 503 });
  assert.equal(pool.isUp(b), false);
  assert.deepEqual(ejections, [
    {
      upstream: "api",
      backend: "10.0.0.2:8080",
      reason: "1 failure within 5000ms (max_fails), last status 503",
      untilMs: 5100,
    },
  ]);
});

void test("turning active checks off brings back backends a checker took down, not ones an operator did", async () => {
  const server = await startBackend("down", (req, res) => {
    req.resume();
    res.writeHead(500).end();
  });
  servers.push(server);
  const base = testUpstream("api", [server.url, "http://10.0.0.2:8080"]);
  const checked = { ...base, healthCheck: { ...base.healthCheck, enabled: true, unhealthyThreshold: 1 } };
  const clock = new ManualClock();
  const pool = new UpstreamPool("api", base.backends, { clock, slowStartMs: 0, panicMode: false });
  const [probed, drained] = pool.backends as [Backend, Backend];
  const deps = { clock, random: seededRandom(1), events: recorder().events, scheduler: new FakeScheduler() };
  const first = createHealth(checked, pool, deps);
  assert.equal(await first.active?.checkOnce(probed), false);
  pool.setActiveStatus(drained, false); // an operator drains it
  first.stop();

  const second = createHealth(base, pool, deps); // reload with checks disabled
  assert.equal(second.active, undefined);
  second.start();
  assert.equal(pool.isUp(probed), true, "nobody would ever bring it back otherwise");
  assert.equal(pool.isUp(drained), false, "the operator's decision stands");
  second.stop();
});
