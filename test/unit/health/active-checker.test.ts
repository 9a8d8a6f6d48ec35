import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { HealthCheckConfig } from "../../../src/config/types.ts";
import { ActiveHealthChecker, type HealthTransition } from "../../../src/health/active-checker.ts";
import type { Backend } from "../../../src/pool/backend.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock, seededRandom } from "../../../src/shared/clock.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { FakeScheduler } from "./fake-scheduler.ts";

const servers: TestBackend[] = [];
after(async () => {
  await Promise.all(servers.map((s) => s.kill()));
});

/** A backend whose health endpoint answers `status.current`, or never answers when "never". */
async function switchable(
  initial: number | "never",
): Promise<{ server: TestBackend; status: { current: number | "never" } }> {
  const status = { current: initial };
  const server = await startBackend("hc", (req, res) => {
    req.resume();
    if (status.current !== "never") res.writeHead(status.current).end();
  });
  servers.push(server);
  return { server, status };
}

function hcConfig(overrides: Partial<HealthCheckConfig> = {}): HealthCheckConfig {
  return {
    enabled: true,
    path: "/healthz",
    intervalMs: 5000,
    timeoutMs: 1000,
    unhealthyThreshold: 3,
    healthyThreshold: 2,
    expectStatus: [{ min: 200, max: 399 }],
    jitter: 0,
    ...overrides,
  };
}

function setup(
  urls: readonly string[],
  config: HealthCheckConfig = hcConfig(),
  random: () => number = seededRandom(7),
) {
  const clock = new ManualClock(1000);
  const scheduler = new FakeScheduler();
  const pool = new UpstreamPool(
    "app",
    urls.map((url) => ({ url, weight: 1, backup: false })),
    { clock, slowStartMs: 0, panicMode: false },
  );
  const checker = new ActiveHealthChecker(config, pool, { clock, random, scheduler });
  const events: HealthTransition[] = [];
  checker.onTransition((e) => events.push(e));
  return { clock, scheduler, pool, checker, events, backend: pool.backends[0] as Backend };
}

void test("a backend goes down after exactly 3 failed probes and up after exactly 2 passing ones", async () => {
  const { server, status } = await switchable(500);
  const { pool, checker, events, backend } = setup([server.url]);

  assert.equal(await checker.checkOnce(backend), false);
  assert.equal(await checker.checkOnce(backend), false);
  assert.equal(pool.isUp(backend), true, "still up after 2 failures");
  assert.equal(await checker.checkOnce(backend), false);
  assert.equal(pool.isUp(backend), false, "down after the 3rd failure");
  assert.deepEqual(events, [{ backend, up: false, reason: "status 500" }]);
  assert.deepEqual(pool.candidates(), []);

  status.current = 200;
  assert.equal(await checker.checkOnce(backend), true);
  assert.equal(pool.isUp(backend), false, "still down after 1 success");
  assert.equal(await checker.checkOnce(backend), true);
  assert.equal(pool.isUp(backend), true, "up after the 2nd success");
  assert.deepEqual(events[1], { backend, up: true, reason: "status 200" });
  assert.equal(events.length, 2);
  assert.deepEqual(
    server.requests.map((r) => r.url),
    Array(5).fill("/healthz"),
  );
});

void test("a success between failures restarts the count toward unhealthyThreshold", async () => {
  const { server, status } = await switchable(500);
  const { pool, checker, backend } = setup([server.url]);
  await checker.checkOnce(backend);
  await checker.checkOnce(backend);
  status.current = 204;
  await checker.checkOnce(backend);
  status.current = 500;
  await checker.checkOnce(backend);
  await checker.checkOnce(backend);
  assert.equal(pool.isUp(backend), true);
  await checker.checkOnce(backend);
  assert.equal(pool.isUp(backend), false);
});

void test("only statuses inside an expected range pass", async () => {
  const { server, status } = await switchable(200);
  const { checker, backend } = setup(
    [server.url],
    hcConfig({
      expectStatus: [
        { min: 200, max: 399 },
        { min: 418, max: 418 },
      ],
    }),
  );
  const verdicts: Record<number, boolean> = {};
  for (const s of [200, 204, 301, 399, 404, 418, 500, 503]) {
    status.current = s;
    verdicts[s] = await checker.checkOnce(backend);
  }
  assert.deepEqual(verdicts, {
    200: true,
    204: true,
    301: true,
    399: true,
    404: false,
    418: true,
    500: false,
    503: false,
  });
});

void test("a probe that times out is a failed check and reports the timeout", { timeout: 5000 }, async () => {
  const { server } = await switchable("never");
  const { pool, checker, events, backend } = setup([server.url], hcConfig({ timeoutMs: 100 }));
  for (let i = 0; i < 3; i++) assert.equal(await checker.checkOnce(backend), false);
  assert.equal(pool.isUp(backend), false);
  assert.deepEqual(events, [{ backend, up: false, reason: "timeout after 100ms" }]);
  assert.equal(checker.snapshot()[0]?.lastResult, "timeout after 100ms");
});

void test("connection refused is a failed check", async () => {
  const port = await closedPort();
  const { pool, checker, events, backend } = setup([`http://127.0.0.1:${port}`]);
  await checker.runRound();
  await checker.runRound();
  await checker.runRound();
  assert.equal(pool.isUp(backend), false);
  assert.equal(events[0]?.reason, "ECONNREFUSED");
});

void test("a probe function that throws counts as a failure and never escapes", async () => {
  const clock = new ManualClock();
  const pool = new UpstreamPool("app", [{ url: "http://127.0.0.1:9", weight: 1, backup: false }], {
    clock,
    slowStartMs: 0,
    panicMode: false,
  });
  const scheduler = new FakeScheduler();
  const checker = new ActiveHealthChecker(hcConfig({ unhealthyThreshold: 1 }), pool, {
    clock,
    random: seededRandom(1),
    scheduler,
    probe: () => Promise.reject(new Error("boom")),
  });
  checker.start();
  assert.equal(scheduler.fireAll(), 1);
  await waitFor(() => scheduler.pending.size === 1, {
    what: "the next probe to be scheduled",
    intervalMs: 5,
  });
  assert.equal(pool.isUp(pool.backends[0] as Backend), false);
  assert.equal(checker.snapshot()[0]?.lastResult, "boom");
  checker.stop();
});

void test("probes are rescheduled with intervalMs ± jitter, drawn from the injected random", async () => {
  const { server } = await switchable(200);
  // A scripted random: its lowest draw shortens the interval by the full 20%, its highest
  // lengthens it by (almost) 20%, and the middle leaves it as it is.
  const draws = [0, 0.25, 0.5, 0.75, 0.9999];
  let next = 0;
  const scripted = (): number => draws[next++ % draws.length] ?? 0;
  const config = hcConfig({ intervalMs: 1000, jitter: 0.2 });
  const { scheduler, checker } = setup([server.url], config, scripted);
  checker.start();
  assert.deepEqual(scheduler.delays, [0], "first probe immediately");
  for (let round = 1; round <= draws.length; round++) {
    assert.equal(scheduler.fireAll(), 1);
    await waitFor(() => scheduler.pending.size === 1, {
      what: `probe ${round} to reschedule`,
      intervalMs: 5,
    });
  }
  checker.stop();
  assert.deepEqual(scheduler.delays.slice(1), [800, 900, 1000, 1100, 1200]);
  assert.equal(next, draws.length, "one draw per rescheduled probe");
});

void test("stop() cancels pending timers and aborts probes in flight without leaving sockets", async () => {
  const { server } = await switchable("never");
  const { scheduler, checker, pool, backend } = setup([server.url], hcConfig({ timeoutMs: 60_000 }));
  checker.start();
  scheduler.fireAll();
  await waitFor(() => server.requests.length === 1, { what: "the probe to reach the server", intervalMs: 5 });
  checker.stop();
  assert.equal(scheduler.pending.size, 0);
  await waitFor(
    () => new Promise<boolean>((resolve) => server.server.getConnections((_e, n) => resolve(n === 0))),
    { what: "the aborted probe's socket to close", timeoutMs: 2000, intervalMs: 10 },
  );
  // The aborted probe must neither count as a failure nor schedule another probe.
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(scheduler.pending.size, 0);
  assert.equal(checker.snapshot()[0]?.consecutiveFailures, 0);
  assert.equal(pool.isUp(backend), true);
});

void test("the checker follows pool membership: added backends are probed, removed ones forgotten", async () => {
  const a = await switchable(200);
  const b = await switchable(200);
  const { scheduler, checker, pool } = setup([a.server.url]);
  checker.start();
  assert.equal(scheduler.pending.size, 1);
  pool.reconcile([
    { url: a.server.url, weight: 1, backup: false },
    { url: b.server.url, weight: 1, backup: false },
  ]);
  assert.equal(scheduler.pending.size, 2, "the added backend got a timer");
  assert.deepEqual(
    checker.snapshot().map((s) => s.backend),
    [a.server.url, b.server.url].map((u) => new URL(u).host),
  );
  pool.reconcile([{ url: b.server.url, weight: 1, backup: false }]);
  assert.equal(scheduler.pending.size, 1, "the removed backend's timer was cancelled");
  assert.deepEqual(
    checker.snapshot().map((s) => s.backend),
    [new URL(b.server.url).host],
  );
  scheduler.fireAll();
  await waitFor(() => b.server.requests.length === 1, {
    what: "the remaining backend to be probed",
    intervalMs: 5,
  });
  checker.stop();
  assert.equal(a.server.requests.length, 0);
});

void test("a checker created for a backend that is already down needs healthyThreshold successes", async () => {
  const { server } = await switchable(200);
  const { pool, checker, backend } = setup([server.url]);
  pool.setActiveStatus(backend, false); // as a previous checker left it before a reload
  await checker.checkOnce(backend);
  assert.equal(pool.isUp(backend), false);
  await checker.checkOnce(backend);
  assert.equal(pool.isUp(backend), true);
});

void test("a throwing transition listener does not stop the checker", async () => {
  const { server } = await switchable(500);
  const { pool, checker, events, backend } = setup([server.url], hcConfig({ unhealthyThreshold: 1 }));
  checker.onTransition(() => {
    throw new Error("listener bug");
  });
  assert.equal(await checker.checkOnce(backend), false);
  assert.equal(pool.isUp(backend), false);
  assert.equal(events.length, 1);
});
