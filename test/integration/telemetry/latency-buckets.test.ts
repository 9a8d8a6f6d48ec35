import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { load, startObservedBalancer, type ObservedBalancer } from "./balancer-fixture.ts";

const REQUESTS = 20;

describe("Latency histogram through Prometheus", () => {
  let slow: TestBackend;
  let lb: ObservedBalancer;
  before(async () => {
    slow = await startBackend("slow", (req, res) => {
      req.resume();
      // The backend's own behaviour under test: it answers after 200 ms.
      setTimeout(() => res.end("slow"), 200);
    });
    lb = await startObservedBalancer([testUpstream("api", [slow.url])]);
  });
  after(async () => {
    await lb.close();
    await slow.kill();
  });

  it("puts a 200 ms backend's median in the bucket that contains 0.2 s", async () => {
    await load((i) => `${lb.balancer.url}/x/${i}`, REQUESTS, 4);
    const backend = `127.0.0.1:${slow.port}`;
    const selector = `job=$JOB, traceway_backend="${backend}"`;
    await lb.until(
      `sum(http_client_request_duration_seconds_count{${selector}})`,
      (r) => r[0]?.value === REQUESTS,
      "all attempts scraped",
    );
    const [median] = await lb.query(
      `histogram_quantile(0.5, sum by (le)(http_client_request_duration_seconds_bucket{${selector}}))`,
    );
    assert.ok(median !== undefined && median.value > 0.1 && median.value <= 0.25, `median ${median?.value}`);
    const buckets = await lb.query(`sum by (le)(http_client_request_duration_seconds_bucket{${selector}})`);
    const at = new Map(buckets.map((s) => [s.metric.le, s.value]));
    assert.equal(at.get("0.1"), 0, "no attempt faster than 100 ms");
    // The bucket holding the median holds more than half the attempts; the rest may be late on a
    // loaded machine, which is the histogram telling the truth, not a failure.
    assert.ok((at.get("0.25") ?? 0) > REQUESTS / 2, `le=0.25 holds ${at.get("0.25")} of ${REQUESTS}`);
  });
});
