// @solo: X·R = N within 10% holds only while the load generator gets the CPU it asks for
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoadInProcess } from "./run-in-process.ts";

/** The server's service time: every answer is sent this long after the request arrived. */
const SERVICE_MS = 100;
const CONNECTIONS = 20;

let server: TestBackend;
before(async () => {
  server = await startBackend("slow", (req, res) => {
    req.resume();
    setTimeout(() => res.writeHead(200, { "content-length": 2 }).end("ok"), SERVICE_MS);
  });
});
after(() => server.kill());

test(`closed model, ${CONNECTIONS} connections, ${SERVICE_MS} ms service time: X = N/S, R = S and X·R = N within 10%`, async () => {
  const { code, report } = await runLoadInProcess(`${server.url}/`, {
    steps: String(CONNECTIONS),
    stepDuration: "3s",
    warmup: "500ms",
  });
  assert.equal(code, 0);
  const [step] = report.steps;
  assert.ok(step !== undefined);
  assert.equal(step.errors, 0);
  const meanS = step.latencyMs.mean / 1000;
  const inSystem = step.throughput * meanS;
  // Little's law: with no think time every connection always has one request in the system.
  const littles = inSystem / CONNECTIONS;
  const latency = step.latencyMs.mean / SERVICE_MS;
  const throughput = step.throughput / (CONNECTIONS / (SERVICE_MS / 1000));
  const diagnostics = `X=${step.throughput.toFixed(1)}/s R=${step.latencyMs.mean.toFixed(2)} ms X·R=${inSystem.toFixed(2)} (N=${CONNECTIONS}) theory X=${CONNECTIONS / (SERVICE_MS / 1000)}/s`;
  assert.ok(Math.abs(littles - 1) <= 0.1, diagnostics);
  assert.ok(Math.abs(latency - 1) <= 0.1, diagnostics);
  assert.ok(Math.abs(throughput - 1) <= 0.1, diagnostics);
  process.stdout.write(`# ${diagnostics}\n`);
});
