import assert from "node:assert/strict";
import { after, test } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoadInProcess } from "./run-in-process.ts";

const STALL_MS = 1000;
/** The stall begins this long after the step's first request. */
const STALL_AFTER_MS = 1000;

const servers: TestBackend[] = [];
after(() => Promise.all(servers.map((s) => s.kill())));

/**
 * Answers at once, except for one window of STALL_MS in which it answers nothing: everything that
 * arrives then is answered when the window ends (a GC pause, a ^Z, a stuck disk: wrk2's example).
 */
async function stallingServer(): Promise<TestBackend> {
  let firstAt: number | undefined;
  let stallUntil: number | undefined;
  const server = await startBackend("stall", (req, res) => {
    req.resume();
    const now = performance.now();
    firstAt ??= now;
    if (stallUntil === undefined && now - firstAt >= STALL_AFTER_MS) stallUntil = now + STALL_MS;
    const answer = (): void => void res.writeHead(200, { "content-length": 2 }).end("ok");
    if (stallUntil !== undefined && now < stallUntil) setTimeout(answer, stallUntil - now);
    else answer();
  });
  servers.push(server);
  return server;
}

test("a 1 s stall shows in the open model's p99 and hides in the closed model's (coordinated omission)", async () => {
  const open = await stallingServer();
  const rate = await runLoadInProcess(`${open.url}/`, { rates: "200", stepDuration: "3s", warmup: "0" });
  const closed = await stallingServer();
  const conns = await runLoadInProcess(`${closed.url}/`, { steps: "4", stepDuration: "3s", warmup: "0" });
  const [openStep] = rate.report.steps;
  const [closedStep] = conns.report.steps;
  assert.ok(openStep !== undefined && closedStep !== undefined);
  const seen = `open p99 ${openStep.latencyMs.p99} ms max ${openStep.latencyMs.max} ms; closed p99 ${closedStep.latencyMs.p99} ms max ${closedStep.latencyMs.max} ms over ${closedStep.requests} requests`;
  process.stdout.write(`# ${seen}\n`);
  // Both saw the stall: their slowest request waited most of it.
  assert.ok(openStep.latencyMs.max >= 0.8 * STALL_MS, seen);
  assert.ok(closedStep.latencyMs.max >= 0.8 * STALL_MS, seen);
  // Open model: a third of the schedule fell into the stall, so its p99 is nearly the stall itself.
  assert.ok(openStep.latencyMs.p99 >= 0.8 * STALL_MS, seen);
  // Closed model: only the 4 requests in flight waited; the other 99%+ never queued behind them.
  assert.ok(closedStep.latencyMs.p99 < 0.1 * STALL_MS, seen);
  assert.equal(openStep.errors + closedStep.errors, 0);
});
