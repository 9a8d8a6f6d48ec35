import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { BackendChangeResponse } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminCall, adminYaml } from "./admin-fixture.ts";

// A weight change through the API applies to the very next pick (nginx smooth weighted round
// robin over the new weights), and the answer says how long it holds.

let a: TestBackend;
let b: TestBackend;
let traceway: TracewayCli;
let removeDir: () => Promise<void>;

before(async () => {
  a = await startBackend("a");
  b = await startBackend("b");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  traceway = await startTracewayCli(
    join(dir, "traceway.yaml"),
    adminYaml([a, b], "    strategy: weighted_round_robin\n"),
  );
});

after(async () => {
  await traceway?.stop();
  await a?.kill();
  await b?.kill();
  await removeDir?.();
});

async function sequence(n: number): Promise<string> {
  const results = await runLoad({ url: traceway.url, count: n, maxMs: 20_000, concurrency: 1 });
  return results.map((r) => r.backend).join(" ");
}

test("a weight change takes effect on the next pick", async () => {
  assert.equal(await sequence(6), "a b a b a b", "weights 1:1 alternate");
  const r = await adminCall(traceway.adminUrl!, "PATCH", `/api/v1/upstreams/api/backends/${a.url.slice(7)}`, {
    weight: 3,
  });
  assert.equal(r.status, 200);
  const change = r.body as BackendChangeResponse;
  assert.deepEqual(change.applied, { weight: 3 });
  assert.equal(change.backend.weight, 1, "the declared weight stays");
  assert.equal(change.backend.effectiveWeight, 3);
  assert.deepEqual(change.backend.override, { weight: 3 });
  assert.equal(change.backend.trafficShare, 0.75);
  assert.match(change.holds, /until a config reload or discovery update changes this backend's declaration/);
  // Smooth WRR over 3:1 from an even state: a a b a, and again.
  assert.equal(await sequence(8), "a a b a a a b a");

  const zero = await adminCall(
    traceway.adminUrl!,
    "PATCH",
    `/api/v1/upstreams/api/backends/${a.url.slice(7)}`,
    { weight: 0 },
  );
  assert.equal((zero.body as BackendChangeResponse).backend.state, "draining");
  assert.equal(await sequence(4), "b b b b", "weight 0 takes the backend out at once");

  const reset = await adminCall(
    traceway.adminUrl!,
    "DELETE",
    `/api/v1/upstreams/api/backends/${a.url.slice(7)}/override`,
  );
  assert.equal(reset.status, 200);
  assert.equal((reset.body as BackendChangeResponse).backend.override, null);
  assert.equal(await sequence(4), "a b a b");
  // Each change was logged with who made it.
  await traceway.cli.waitForOutput(
    /"who":"ops","action":"backend.patch","upstream":"api","backend":"127\.0\.0\.1:\d+","change":\{"weight":3\}.*"msg":"admin change"/,
    "the change log line",
  );
  await traceway.cli.waitForOutput(
    /"who":"ops","action":"backend.reset".*"msg":"admin change"/,
    "the reset log line",
  );
});
