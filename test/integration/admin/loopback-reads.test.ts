import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pino from "pino";
import { startAdmin, type RunningAdmin } from "../../../src/admin/admin-server.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { adminCall, codeOf, TOKEN } from "./admin-fixture.ts";

// readAccess: loopback lets reads from a loopback client in without a token; writes still need one.

let backend: TestBackend;
let balancer: RunningBalancer;
let admin: RunningAdmin;

before(async () => {
  backend = await startBackend("b");
  balancer = await startBalancer({ config: testConfig([testUpstream("api", [backend.url])]) });
  admin = await startAdmin(
    {
      enabled: true,
      host: "127.0.0.1",
      port: 0,
      tokens: [{ name: "ops", token: TOKEN }],
      readAccess: "loopback",
    },
    { control: balancer.control, logger: pino({ level: "silent" }) },
  );
});

after(async () => {
  await admin?.close();
  await balancer?.close();
  await backend?.kill();
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
