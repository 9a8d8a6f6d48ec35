import assert from "node:assert/strict";
import { test } from "node:test";
import { demoConfig } from "../../../src/config/embedded-demo.ts";

const TOKEN = "demo-token-0123456789abcdef";
const PORTS = { balancer: 8080, backends: [9001, 9002, 9003], metrics: 9464, admin: 9901 };

test("the embedded demo config: three backends round robin, health checks every 2s, metrics on, traces off", () => {
  const config = demoConfig(PORTS, TOKEN);
  assert.deepEqual({ host: config.server.host, port: config.server.port }, { host: "127.0.0.1", port: 8080 });
  const demo = config.upstreams.get("demo");
  assert.equal(demo?.strategy, "round_robin");
  assert.deepEqual(
    demo?.backends.map((b) => b.url),
    ["http://127.0.0.1:9001", "http://127.0.0.1:9002", "http://127.0.0.1:9003"],
  );
  assert.equal(demo?.healthCheck.enabled, true);
  assert.equal(demo?.healthCheck.path, "/healthz");
  assert.equal(demo?.healthCheck.intervalMs, 2000);
  assert.deepEqual(config.routes, [{ match: { pathPrefix: "/" }, upstream: "demo", preserveHost: true }]);
  assert.deepEqual(config.telemetry.prometheus, {
    enabled: true,
    host: "127.0.0.1",
    port: 9464,
    path: "/metrics",
  });
  assert.equal(config.telemetry.traces.enabled, false);
});

test("the embedded demo serves the status page on loopback: reads open there, writes with the run's token", () => {
  const { admin } = demoConfig(PORTS, TOKEN);
  assert.deepEqual(
    { enabled: admin?.enabled, host: admin?.host, port: admin?.port, readAccess: admin?.readAccess },
    { enabled: true, host: "127.0.0.1", port: 9901, readAccess: "loopback" },
  );
  assert.deepEqual(admin?.tokens, [{ name: "demo", token: TOKEN }]);
});

test("the demo config goes through the validator: bad ports fail", () => {
  assert.throws(
    () => demoConfig({ ...PORTS, balancer: 70_000 }, TOKEN),
    /server\.listen: invalid listen address/,
  );
});
