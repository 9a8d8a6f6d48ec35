import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { RunningAdmin } from "../../../src/admin/admin-server.ts";
import type { TestBackend } from "../../helpers/http-backend.ts";
import { adminCall, codeOf, startInProcessAdmin, type InProcessAdmin } from "./admin-fixture.ts";

// readAccess: loopback lets reads from a loopback client in without a token; writes still need one.

let backend: TestBackend;
let admin: RunningAdmin;
let running: InProcessAdmin;

before(async () => {
  running = await startInProcessAdmin("loopback");
  ({ backend, admin } = running);
});

after(async () => {
  await running?.close();
});

test("with readAccess: loopback, loopback reads need no token and writes still do", async () => {
  const path = `/api/v1/upstreams/api/backends/${backend.url.slice(7)}`;
  const read = await adminCall(admin.url, "GET", path, undefined, {});
  assert.equal(read.status, 200);
  const write = await adminCall(admin.url, "PATCH", path, { drain: true }, {});
  assert.equal(write.status, 401);
  assert.equal(codeOf(write.body), "TRACEWAY_ERR_ADMIN_UNAUTHORIZED");
  const wrong = await adminCall(admin.url, "GET", path, undefined, {
    authorization: "Bearer not-a-token-at-all-xx",
  });
  assert.equal(wrong.status, 401, "a wrong token is refused even for a read");
  const events = await fetch(`${admin.url}/api/v1/events`);
  assert.equal(events.status, 200);
  assert.match(events.headers.get("content-type") ?? "", /^text\/event-stream/);
  await events.body?.cancel();
});
