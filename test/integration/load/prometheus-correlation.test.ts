import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { PROMETHEUS_URL } from "../../helpers/services.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { startObservedBalancer, type ObservedBalancer } from "../telemetry/balancer-fixture.ts";
import { runLoadInProcess } from "./run-in-process.ts";

/** The test Prometheus scrapes every second (scripts/services.sh). */
const SCRAPE_INTERVAL_S = 1;

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

test("--prometheus: each step has a row per backend whose request count matches the backend's own within one scrape interval", async () => {
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
    const rows = step.prometheus?.backends ?? [];
    assert.deepEqual(step.prometheus?.errors, []);
    assert.deepEqual(
      rows.map((r) => r.backend),
      [...arrivals.keys()].sort(),
    );
    for (const row of rows) {
      const own = arrivals.get(row.backend)!.filter((t) => t >= step.startedAt && t <= step.endedAt).length;
      const tolerance = (own / step.durationS) * SCRAPE_INTERVAL_S;
      const seen = `step ${step.step} ${row.backend}: Prometheus ${row.requests}, backend ${own}, tolerance ±${tolerance.toFixed(0)}`;
      process.stdout.write(`# ${seen}\n`);
      assert.ok(own > 0, seen);
      assert.ok(Math.abs(row.requests - own) <= tolerance, seen);
      assert.equal(row.upstream, "api");
      assert.equal(row.errors, 0);
      assert.equal(row.retries, 0);
      assert.equal(row.ejections, 0);
      assert.ok(row.p99Ms !== undefined && row.p99Ms > 0, seen);
    }
  }
  assert.match(stdout, /^traceway's view \(Prometheus, same windows\):$/m);
  assert.match(
    stdout,
    new RegExp(`^1 +api +${[...arrivals.keys()].sort()[0]!.replaceAll(".", "\\.")} +[\\d,]+ +0 +`, "m"),
  );
});
