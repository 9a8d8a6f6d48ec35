import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { UpstreamsResponse } from "../../../src/admin/api-types.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { scratchDir, startTracewayCli, type TracewayCli } from "../../helpers/traceway-cli.ts";
import { adminCall, adminYaml, AUTH, codeOf } from "./admin-fixture.ts";

// Bad input gets 400/404/405/409/413/415 with a JSON code naming the problem, and changes nothing:
// not part of a body, not the split, not another backend.

let a: TestBackend;
let b: TestBackend;
let traceway: TracewayCli;
let removeDir: () => Promise<void>;

before(async () => {
  a = await startBackend("a");
  b = await startBackend("b");
  const { dir, remove } = await scratchDir();
  removeDir = remove;
  traceway = await startTracewayCli(join(dir, "traceway.yaml"), adminYaml([a, b]));
});

after(async () => {
  await traceway?.stop();
  await a?.kill();
  await b?.kill();
  await removeDir?.();
});

/** What an operator can change, for every backend: compared before and after each bad call. */
async function changeable(): Promise<unknown> {
  const r = await adminCall(traceway.adminUrl!, "GET", "/api/v1/upstreams");
  return (r.body as UpstreamsResponse).upstreams.map((u) => ({
    canary: u.canary,
    backends: u.backends.map((x) => [
      x.name,
      x.weight,
      x.effectiveWeight,
      x.state,
      x.override,
      x.trafficShare,
    ]),
  }));
}

test("bad input is refused with a coded error and changes nothing", async () => {
  const backend = `/api/v1/upstreams/api/backends/${a.url.slice(7)}`;
  const cases: [string, string, string, unknown, number, string, RegExp][] = [
    [
      "unknown upstream",
      "PATCH",
      "/api/v1/upstreams/nope/backends/x:1",
      { weight: 2 },
      404,
      "TRACEWAY_ERR_UNKNOWN_UPSTREAM",
      /unknown upstream "nope"; known upstreams: api/,
    ],
    [
      "unknown backend",
      "PATCH",
      "/api/v1/upstreams/api/backends/10.0.0.1:1",
      { weight: 2 },
      404,
      "TRACEWAY_ERR_UNKNOWN_BACKEND",
      /has no backend "10.0.0.1:1"; its backends: 127.0.0.1:\d+, 127.0.0.1:\d+/,
    ],
    [
      "weight below 0",
      "PATCH",
      backend,
      { weight: -1 },
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /weight must be a whole number 0\.\.1000, got -1/,
    ],
    [
      "weight above 1000",
      "PATCH",
      backend,
      { weight: 1001 },
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /got 1001/,
    ],
    ["fractional weight", "PATCH", backend, { weight: 2.5 }, 400, "TRACEWAY_ERR_ADMIN_BAD_INPUT", /got 2\.5/],
    ["weight as a string", "PATCH", backend, { weight: "5" }, 400, "TRACEWAY_ERR_ADMIN_BAD_INPUT", /got "5"/],
    [
      "drain not a boolean",
      "PATCH",
      backend,
      { drain: "yes" },
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /drain must be true or false, got "yes"/,
    ],
    [
      "enabled not a boolean",
      "PATCH",
      backend,
      { enabled: 0 },
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /enabled must be true or false/,
    ],
    // A good key next to a bad one: the good one is not applied either.
    [
      "good and unknown key",
      "PATCH",
      backend,
      { weight: 7, wieght: 7 },
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /unknown key "wieght" \(did you mean "weight"\?\)/,
    ],
    [
      "good and bad value",
      "PATCH",
      backend,
      { weight: 7, drain: "no" },
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /drain must be true or false/,
    ],
    ["empty object", "PATCH", backend, {}, 400, "TRACEWAY_ERR_ADMIN_BAD_INPUT", /changes nothing/],
    [
      "array body",
      "PATCH",
      backend,
      [{ weight: 2 }],
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /expected a JSON object/,
    ],
    [
      "malformed JSON",
      "PATCH",
      backend,
      '{"weight": 2',
      400,
      "TRACEWAY_ERR_ADMIN_BAD_INPUT",
      /malformed JSON/,
    ],
    ["no body", "PATCH", backend, undefined, 400, "TRACEWAY_ERR_ADMIN_BAD_INPUT", /no body/],
    [
      "no canary",
      "GET",
      "/api/v1/upstreams/api/canary",
      undefined,
      404,
      "TRACEWAY_ERR_NO_CANARY",
      /has no canary/,
    ],
    [
      "abort without canary",
      "POST",
      "/api/v1/upstreams/api/canary/abort",
      undefined,
      404,
      "TRACEWAY_ERR_NO_CANARY",
      /has no canary/,
    ],
    ["unknown path", "GET", "/api/v1/nothing", undefined, 404, "TRACEWAY_ERR_ADMIN_NOT_FOUND", /no endpoint/],
    [
      "wrong method",
      "PUT",
      backend,
      { weight: 2 },
      405,
      "TRACEWAY_ERR_METHOD_NOT_ALLOWED",
      /allowed: GET, PATCH/,
    ],
  ];
  const before = await changeable();
  for (const [what, method, path, body, status, code, message] of cases) {
    const r = await adminCall(traceway.adminUrl!, method, path, body);
    assert.equal(r.status, status, what);
    assert.equal(codeOf(r.body), code, what);
    assert.match((r.body as { error: { message: string } }).error.message, message, what);
    assert.deepEqual(await changeable(), before, `${what} changed nothing`);
  }

  const notJson = await fetch(`${traceway.adminUrl}${backend}`, {
    method: "PATCH",
    headers: { ...AUTH, "content-type": "text/plain" },
    body: "weight=2",
  });
  assert.equal(notJson.status, 415);
  const tooLarge = await adminCall(traceway.adminUrl!, "PATCH", backend, {
    weight: 2,
    pad: "x".repeat(20_000),
  });
  assert.equal(tooLarge.status, 413);
  assert.equal(codeOf(tooLarge.body), "TRACEWAY_ERR_ADMIN_BAD_INPUT");
  assert.deepEqual(await changeable(), before);

  // And the data path still splits evenly across both backends.
  const results = await runLoad({ url: traceway.url, count: 100, maxMs: 20_000, concurrency: 1 });
  assert.equal(results.filter((r) => r.backend === "a").length, 50);
});
