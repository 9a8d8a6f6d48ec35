import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PROMETHEUS_URL } from "../../helpers/services.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { startObservedBalancer, type ObservedBalancer } from "../telemetry/balancer-fixture.ts";
import { runLoadInProcess } from "./run-in-process.ts";

const arrivals = new Map<string, number[]>();
let backends: TestBackend[];
let lb: ObservedBalancer;

before(async () => {
  backends = await Promise.all(
    ["a", "b", "c"].map((name) =>
      startBackend(name, (req, res, backend) => {
        req.resume();
        arrivals.get(`127.0.0.1:${backend.port}`)?.push(Date.now());
        res.writeHead(200, { "content-length": 2 }).end("ok");
      }),
    ),
  );
  for (const b of backends) arrivals.set(`127.0.0.1:${b.port}`, []);
  lb = await startObservedBalancer([
    testUpstream(
      "api",
      backends.map((b) => b.url),
    ),
  ]);
});
after(async () => {
  await lb.close();
  await Promise.all(backends.map((b) => b.kill()));
});

test("--prometheus: each step has a row per backend matching the backend's own count over the scrapes it was read from", async () => {
  const { code, report, stdout } = await runLoadInProcess(`${lb.balancer.url}/items`, {
    steps: "2,4",
    stepDuration: "3s",
    warmup: "500ms",
    prometheus: PROMETHEUS_URL,
    prometheusMatch: `job="${lb.job}"`,
  });
  assert.equal(code, 0);
  assert.equal(report.steps.length, 2);
  for (const step of report.steps) {
    const window = step.prometheus;
    assert.ok(window?.scrapedFrom !== undefined && window.scrapedTo !== undefined, JSON.stringify(window));
    assert.deepEqual(window.errors, []);
    assert.deepEqual(
      window.backends.map((r) => r.backend),
      [...arrivals.keys()].sort(),
    );
    const edges = `scrapes ${window.scrapedFrom - step.startedAt} ms / ${window.scrapedTo - step.endedAt} ms from the step's edges`;
    for (const row of window.backends) {
      const times = arrivals.get(row.backend)!;
      const own = times.filter((t) => t > window.scrapedFrom! && t <= window.scrapedTo!).length;
      const inStep = times.filter((t) => t >= step.startedAt && t <= step.endedAt).length;
      // Requests in flight at a scrape are counted by the backend on arrival, by traceway on completion.
      const tolerance = step.level + 2;
      const seen = `step ${step.step} ${row.backend}: Prometheus ${row.requests}, backend ${own} over the same scrapes (${inStep} in the step; ${edges})`;
      process.stdout.write(`# ${seen}\n`);
      assert.ok(own > 0, seen);
      assert.ok(Math.abs(row.requests - own) <= tolerance, seen);
      assert.equal(row.upstream, "api");
      assert.equal(row.errors, 0);
      assert.equal(row.retries, 0);
      assert.equal(row.ejections, 0);
      assert.ok(row.p99Ms !== undefined && row.p99Ms > 0, seen);
    }
    // Each scrape edge is the newest scrape at or before the step's edge.
    assert.ok(window.scrapedFrom <= step.startedAt && window.scrapedTo <= step.endedAt, edges);
  }
  assert.match(stdout, /^traceway's view \(Prometheus, same windows\):$/m);
  assert.match(
    stdout,
    new RegExp(`^1 +api +${[...arrivals.keys()].sort()[0]!.replaceAll(".", "\\.")} +[\\d,]+ +0 +`, "m"),
  );
});
