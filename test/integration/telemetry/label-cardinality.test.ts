import assert from "node:assert/strict";
import { RUNTIME_METER_SCOPES } from "../../../src/telemetry/runtime-metrics.ts";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { load, startObservedBalancer, type ObservedBalancer } from "./balancer-fixture.ts";

const PATHS = 10_000;
/** 14 explicit boundaries + `+Inf`. */
const BUCKETS = 15;

describe("Label cardinality", () => {
  let backend: TestBackend;
  let lb: ObservedBalancer;
  before(async () => {
    backend = await startBackend("only");
    lb = await startObservedBalancer([testUpstream("api", [backend.url])]);
  });
  after(async () => {
    await lb.close();
    await backend.kill();
  });

  it(`keeps every series count fixed after ${PATHS} distinct paths`, async () => {
    const statuses = await load((i) => `${lb.balancer.url}/users/${i}/orders?page=${i}`, PATHS, 16);
    assert.deepEqual([...statuses], [[200, PATHS]]);
    await lb.until(
      `sum(http_server_request_duration_seconds_count{job=$JOB})`,
      (r) => r[0]?.value === PATHS,
      "all requests scraped",
    );
    const count = async (name: string): Promise<number | undefined> =>
      (await lb.query(`count(${name}{job=$JOB})`))[0]?.value;
    assert.equal(await count("http_server_request_duration_seconds_count"), 1);
    assert.equal(await count("http_server_request_duration_seconds_bucket"), BUCKETS);
    assert.equal(await count("http_client_request_duration_seconds_count"), 1);
    assert.equal(await count("http_client_request_duration_seconds_bucket"), BUCKETS);
    assert.equal(await count("traceway_upstream_requests_in_flight"), 1);
    assert.equal(await count("traceway_upstream_backend_up"), 1);
    // Nothing anywhere in this job's series carries a raw path.
    const everything = await lb.query(`{job=$JOB}`);
    const withPath = everything.filter((s) => Object.values(s.metric).some((v) => v.includes("/users/")));
    assert.deepEqual(withPath, []);
    // The runtime series (a fixed set per process, tagged with their meter) are not request-driven.
    const requestDriven = everything.filter(
      (s) => !RUNTIME_METER_SCOPES.includes(s.metric["otel_scope_name"] ?? ""),
    );
    assert.ok(requestDriven.length < 100, `${requestDriven.length} series besides the runtime ones`);
  });
});
