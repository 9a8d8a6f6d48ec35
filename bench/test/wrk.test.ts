import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { after, test } from "node:test";
import { parseWrkOutput, runWrk } from "../lib/wrk.ts";

test("parses the line the Lua done() hook prints, latencies in ms and errors split", () => {
  const stdout = `Running 1s test @ http://x\nWRK_JSON {"requests":2000,"duration_us":2000000,"bytes":1,"connect":1,"read":2,"write":0,"status":5,"timeout":3,"p50_us":1500,"p90_us":2000,"p99_us":4000,"p999_us":9000,"max_us":12000}\n`;
  assert.deepEqual(parseWrkOutput(stdout), {
    requests: 2000,
    rps: 1000,
    p50Ms: 1.5,
    p90Ms: 2,
    p99Ms: 4,
    p999Ms: 9,
    maxMs: 12,
    socketErrors: 6,
    httpErrors: 5,
  });
  assert.equal(parseWrkOutput("wrk: connection refused"), undefined);
});

const server = createServer((req, res) => {
  res.writeHead(req.url === "/fail" ? 503 : 200, { "content-length": 2 }).end("ok");
});
after(() => server.close());

test("a real wrk run reports requests, percentiles and ≥400 statuses through the hook", async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const ok = await runWrk({ url: `http://127.0.0.1:${port}/`, connections: 4, threads: 1, durationS: 1 });
  assert.ok(ok.requests > 0);
  assert.equal(ok.httpErrors, 0);
  assert.ok(ok.p50Ms > 0 && ok.p50Ms <= ok.p99Ms && ok.p99Ms <= ok.p999Ms);
  const failing = await runWrk({
    url: `http://127.0.0.1:${port}/fail`,
    connections: 2,
    threads: 1,
    durationS: 1,
  });
  assert.equal(failing.httpErrors, failing.requests);
});
