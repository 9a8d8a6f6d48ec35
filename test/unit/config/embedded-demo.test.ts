import assert from "node:assert/strict";
import { test } from "node:test";
import { demoConfig } from "../../../src/config/embedded-demo.ts";

test("the embedded demo config: three backends round robin, health checks every 2s, metrics on, traces off", () => {
  const config = demoConfig({ balancer: 8080, backends: [9001, 9002, 9003], metrics: 9464 });
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

test("the demo config goes through the validator: bad ports fail", () => {
  assert.throws(
    () => demoConfig({ balancer: 70_000, backends: [9001], metrics: 9464 }),
    /server\.listen: invalid listen address/,
  );
});
