import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { BackendChangeResponse, BackendView } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminCall, adminYaml } from "./admin-fixture.ts";

// {drain: true}: the backend gets no new request, and the ones it is serving finish normally.

let a: TestBackend;
let b: TestBackend;
const held: ServerResponse[] = [];
let traceway: TracewayCli;
let removeDir: () => Promise<void>;

before(async () => {
  a = await startBackend("a");
  // b holds every response until the test releases it.
  b = await startBackend("b", (req, res) => {
    req.resume();
    held.push(res);
  });
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), adminYaml([a, b]));
});

after(async () => {
  for (const res of held) res.end();
  await traceway?.stop();
  await a?.kill();
  await b?.kill();
  await removeDir?.();
});

test("drain lets in-flight requests finish and sends no new ones", async () => {
  const path = `/api/v1/upstreams/api/backends/${b.url.slice(7)}`;
  // Round robin: of 6 concurrent requests, 3 reach b and wait there.
  const first = Promise.all(
    Array.from({ length: 6 }, () => fetch(traceway.url).then(async (r) => [r.status, await r.text()])),
  );
  await waitFor(() => held.length === 3, { what: "3 requests held by b" });

  const drained = await adminCall(traceway.adminUrl!, "PATCH", path, { drain: true });
  assert.equal(drained.status, 200);
  const view = (drained.body as BackendChangeResponse).backend;
  assert.equal(view.state, "draining");
  assert.equal(view.inFlight, 3);
  assert.equal(view.trafficShare, 0);

  const during = await runLoad({ url: traceway.url, count: 50, maxMs: 20_000, concurrency: 5 });
  assert.ok(
    during.every((r) => r.backend === "a" && r.status === 200),
    "no new request went to b",
  );
  assert.equal(b.requests.length, 3);

  for (const res of held.splice(0)) res.writeHead(200, { "x-backend": "b" }).end("b");
  const answers = await first;
  assert.deepEqual(
    answers.filter(([, body]) => body === "b"),
    [
      [200, "b"],
      [200, "b"],
      [200, "b"],
    ],
    "b's in-flight requests finished",
  );
  const afterwards = (await adminCall(traceway.adminUrl!, "GET", path)).body as BackendView;
  assert.equal(afterwards.inFlight, 0);
  assert.equal(afterwards.state, "draining", "still drained until put back");

  const back = await adminCall(traceway.adminUrl!, "PATCH", path, { drain: false });
  assert.equal((back.body as BackendChangeResponse).backend.state, "up");
  assert.equal((back.body as BackendChangeResponse).backend.override, null);
});
