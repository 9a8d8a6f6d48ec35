import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { load, startObservedBalancer, type ObservedBalancer } from "./balancer-fixture.ts";

const N = 600;

describe("Prometheus sees exactly the requests each backend served", () => {
  let backends: TestBackend[];
  let lb: ObservedBalancer;
  before(async () => {
    backends = await Promise.all(["a", "b", "c"].map((n) => startBackend(n)));
    lb = await startObservedBalancer([
      testUpstream(
        "api",
        backends.map((b) => b.url),
        { strategy: "random" },
      ),
    ]);
  });
  after(async () => {
    await lb.close();
    await Promise.all(backends.map((b) => b.kill()));
  });

  it(`sum by (traceway_backend) of the client duration count equals each backend's own count after ${N} requests`, async () => {
    const statuses = await load((i) => `${lb.balancer.url}/items/${i % 7}`, N, 8);
    assert.deepEqual([...statuses], [[200, N]]);
    const served = new Map(backends.map((b) => [`127.0.0.1:${b.port}`, b.requests.length]));
    assert.equal(
      [...served.values()].reduce((x, y) => x + y, 0),
      N,
    );

    const byBackend = await lb.until(
      `sum by (traceway_backend)(http_client_request_duration_seconds_count{job=$JOB})`,
      (r) => (r.reduce((sum, s) => sum + s.value, 0) === N ? r : undefined),
      `Prometheus to have scraped all ${N} attempts`,
    );
    assert.deepEqual(new Map(byBackend.map((s) => [s.metric.traceway_backend!, s.value])), served);
    const [server] = await lb.query(
      `sum(http_server_request_duration_seconds_count{job=$JOB, traceway_upstream="api"})`,
    );
    assert.equal(server?.value, N);
    const inFlight = await lb.query(`traceway_upstream_requests_in_flight{job=$JOB}`);
    assert.deepEqual(
      inFlight.map((s) => s.value),
      [0, 0, 0],
    );
  });
});
