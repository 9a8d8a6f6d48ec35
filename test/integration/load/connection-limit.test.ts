import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoadInProcess } from "./run-in-process.ts";

let server: TestBackend;
before(async () => {
  server = await startBackend("slow", (req, res) => {
    req.resume();
    setTimeout(() => res.writeHead(200, { "content-length": 2 }).end("ok"), 100);
  });
});
after(() => server.kill());

test("open model capped at 2 connections against a 100 ms server at 40 req/s: the step is reported as generator-limited", async () => {
  // 2 connections × 10 answers/s each = 20 req/s can be written; 40 req/s are scheduled.
  const { report, stdout } = await runLoadInProcess(`${server.url}/`, {
    rates: "40",
    connections: "2",
    workers: "1",
    stepDuration: "2s",
    warmup: "0",
  });
  const [step] = report.steps;
  assert.ok(step !== undefined);
  assert.equal(step.generator.saturated, true);
  assert.match(
    step.generator.reasons.join(),
    /^sent \d+% of the target rate: all 2 connections were busy \(raise --connections\)$/,
  );
  assert.ok(step.sentRate < 30, `sent ${step.sentRate}/s`);
  // The requests that waited for a connection carry the wait: the latency is far above 100 ms.
  assert.ok(step.latencyMs.p99 > 500, `p99 ${step.latencyMs.p99} ms`);
  assert.deepEqual(report.analysis.saturatedSteps, [1]);
  assert.match(stdout, /^1 .* generator-limited$/m);
  assert.match(stdout, /^generator: limited step 1: sent \d+% of the target rate/m);
});
