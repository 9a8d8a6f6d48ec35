// @solo: the knee is read from each step's p99 against a 400 req/s token bucket kept by the backend's timers; another busy test file delays those timers and moves the knee
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoadInProcess } from "./run-in-process.ts";

/** The server's capacity: a token bucket of one token, refilled at this rate; requests queue for a token. */
const CAPACITY_PER_S = 400;
const SERVICE_MS = 100;
const RATES = [100, 200, 300, 600];

let server: TestBackend;
before(async () => {
  let nextToken = 0;
  server = await startBackend("capped", (req, res) => {
    req.resume();
    const now = performance.now();
    // FIFO: each request takes the next token, no earlier than now; past the cap the wait grows.
    const startAt = Math.max(now, nextToken);
    nextToken = startAt + 1000 / CAPACITY_PER_S;
    setTimeout(() => res.writeHead(200, { "content-length": 2 }).end("ok"), startAt - now + SERVICE_MS);
  });
});
after(() => server.kill());

test(`rates ${RATES.join(", ")} req/s against a ${CAPACITY_PER_S} req/s server: the knee is the step just below the cap`, async () => {
  const { report, stdout } = await runLoadInProcess(`${server.url}/`, {
    rates: RATES.join(","),
    stepDuration: "2s",
    warmup: "500ms",
  });
  const seen = report.steps
    .map((s) => `${s.level}/s → ${s.throughput.toFixed(0)}/s p99 ${s.latencyMs.p99.toFixed(1)} ms`)
    .join("; ");
  process.stdout.write(`# ${seen}\n`);
  assert.equal(report.analysis.knee, 3, seen);
  assert.equal(report.analysis.kneeReached, true, seen);
  assert.match(report.analysis.kneeReason, /^step 4's p99 .* exceeded 2× step 1's/);
  // Past the cap the server completes no more than its capacity, however many are scheduled.
  assert.ok(report.steps[3]!.throughput <= CAPACITY_PER_S * 1.05, seen);
  assert.match(stdout, /^knee: step 3 \(300 req\/s\): /m);
});
