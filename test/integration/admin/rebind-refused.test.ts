import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import pino from "pino";
import { startAdmin, type RunningAdmin } from "../../../src/admin/admin-server.ts";
import type { AdminConfig } from "../../../src/config/types.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { adminCall, TOKEN } from "./admin-fixture.ts";

// A reload that moves the admin listener to an address it cannot bind changes nothing: the old
// listener serves on with its old settings, and the next reload naming that address tries again.

let balancer: RunningBalancer;
let admin: RunningAdmin;
const settings = (port: number, readAccess: AdminConfig["readAccess"]): AdminConfig => ({
  enabled: true,
  host: "127.0.0.1",
  port,
  tokens: [{ name: "ops", token: TOKEN }],
  readAccess,
});

before(async () => {
  balancer = await startBalancer({ config: testConfig([testUpstream("api", ["http://127.0.0.1:9"])]) });
  admin = await startAdmin(settings(0, "token"), {
    control: balancer.control,
    logger: pino({ level: "silent" }),
  });
});

after(async () => {
  await admin?.close();
  await balancer?.close();
});

test("a refused rebind keeps the old listener and settings, and the next reload binds", async () => {
  const taken = createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  const port = (taken.address() as { port: number }).port;
  const before = admin.url;

  await assert.rejects(admin.reconfigure(settings(port, "loopback")), /EADDRINUSE/);
  assert.equal(admin.url, before);
  const read = await adminCall(admin.url, "GET", "/api/v1/upstreams", undefined, {});
  assert.equal(read.status, 401, "readAccess is still token: the refused reload applied nothing");

  await new Promise<void>((resolve) => taken.close(() => resolve()));
  await admin.reconfigure(settings(port, "loopback"));
  assert.equal(admin.url, `http://127.0.0.1:${port}`);
  const moved = await adminCall(admin.url, "GET", "/api/v1/upstreams", undefined, {});
  assert.equal(moved.status, 200, "the retried reload bound the address and applied loopback reads");
});
