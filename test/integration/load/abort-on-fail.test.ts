import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoadInProcess } from "./run-in-process.ts";

let server: TestBackend;
before(async () => {
  server = await startBackend("unavailable", (req, res) => {
    req.resume();
    res.writeHead(503, { "content-length": 2 }).end("no");
  });
});
after(() => server.kill());

test("--abort-on-fail stops after the first step that breaks a threshold; errors are named by kind", async () => {
  const { code, report, stdout } = await runLoadInProcess(`${server.url}/`, {
    steps: "1,2,4",
    stepDuration: "1s",
    warmup: "0",
    threshold: ["errors<1%"],
    abortOnFail: true,
  });
  assert.equal(code, 1);
  assert.deepEqual(
    report.steps.map((s) => s.level),
    [1],
  );
  assert.equal(report.stoppedBy, "abort-on-fail");
  assert.deepEqual(report.analysis.firstThresholdBreak, { step: 1, expressions: ["errors<1%"] });
  assert.match(stdout, /^errors: step 1: HTTP 503 ×[\d,]+$/m);
});
