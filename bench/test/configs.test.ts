import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { stringify } from "yaml";
import { DEFAULT_TRANSPORT } from "../../src/config/defaults.ts";
import { parseConfigText } from "../../src/config/load.ts";
import { caddyfile } from "../lib/caddy-config.ts";
import { bridgeConfig } from "../lib/kafka-bridge-bench.ts";
import { backendConfig, haproxyConfig, proxyConfig, sinkConfig } from "../lib/nginx-configs.ts";
import { tracewayConfig } from "../lib/start-targets.ts";
import type { TracewayTelemetry } from "../lib/start-targets.ts";

const dir = mkdtempSync(join(tmpdir(), "traceway-bench-configs-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("the generated traceway YAML passes traceway's own config validation", () => {
  const telemetries: TracewayTelemetry[] = [
    { metrics: false },
    { metrics: true, sampleRatio: 0.1 },
    { metrics: true, sampleRatio: 1 },
    { metrics: false, transport: "http-proxy" },
    { metrics: true, sampleRatio: 0.1, transport: "http-proxy" },
    { metrics: true, sampleRatio: 0.1, accessLog: true },
    { metrics: true, sampleRatio: 0.1, workers: 1 },
    { metrics: true, sampleRatio: 0.1, workers: 2 },
  ];
  for (const telemetry of telemetries) {
    const yaml = stringify(
      tracewayConfig(40001, [40002, 40003, 40004], telemetry, 40005, "http://127.0.0.1:1/v1/traces"),
    );
    const { config } = parseConfigText(yaml);
    assert.equal(config.server.port, 40001);
    assert.equal(config.server.transport, telemetry.transport ?? DEFAULT_TRANSPORT);
    assert.equal(config.upstreams.get("bench")?.backends.length, 3);
    assert.equal(config.server.workers, telemetry.workers ?? 1);
    assert.equal(config.telemetry.prometheus.enabled, telemetry.metrics);
    assert.equal(config.telemetry.traces.enabled, telemetry.sampleRatio !== undefined);
    if (telemetry.sampleRatio !== undefined)
      assert.equal(config.telemetry.traces.sampleRatio, telemetry.sampleRatio);
    assert.equal(config.logging.accessLog, telemetry.accessLog ?? false);
  }
});

test("the bridge bench's traceway YAML passes validation with the bridge it means", () => {
  for (const [ordering, concurrency] of [
    ["partition", 1],
    ["key", 16],
  ] as const) {
    const yaml = stringify(
      bridgeConfig({
        port: 40030,
        metricsPort: 40031,
        sinkUrl: "http://127.0.0.1:40032",
        topic: "bench-topic",
        groupId: "bench-group",
        ordering,
        concurrency,
      }),
    );
    const { config } = parseConfigText(yaml);
    const bridges = config.kafka?.bridges ?? [];
    assert.equal(bridges.length, 1);
    assert.deepEqual(bridges[0]?.topics, ["bench-topic"]);
    assert.equal(bridges[0]?.upstream, "sink");
    assert.equal(bridges[0]?.ordering, ordering);
    assert.equal(bridges[0]?.concurrency, concurrency);
    assert.equal(bridges[0]?.startFrom, "earliest");
    assert.equal(config.telemetry.prometheus.enabled, true);
    assert.equal(config.logging.accessLog, false);
  }
});

test("nginx accepts the backend, proxy and bridge-sink configs (nginx -t)", () => {
  for (const [name, text] of [
    ["backend", backendConfig(join(dir, "backend"), 40010, dir)],
    ["proxy", proxyConfig(join(dir, "proxy"), 40011, [40012, 40013, 40014])],
    ["sink", sinkConfig(join(dir, "sink"), 40015)],
    ["proxy2", proxyConfig(join(dir, "proxy2"), 40016, [40012, 40013, 40014], 2)],
  ] as const) {
    mkdirSync(join(dir, name), { recursive: true });
    const file = join(dir, name, "nginx.conf");
    writeFileSync(file, text);
    const result = spawnSync("nginx", ["-t", "-p", join(dir, name), "-c", file, "-e", "stderr"], {
      encoding: "utf8",
    });
    assert.equal(result.status, 0, result.stderr);
  }
});

test("HAProxy accepts its config (haproxy -c)", () => {
  const file = join(dir, "haproxy.cfg");
  writeFileSync(file, haproxyConfig(40020, [40021, 40022, 40023]));
  const result = spawnSync("haproxy", ["-c", "-f", file], { encoding: "utf8" });
  assert.equal(result.status, 0, result.stderr);
});

test("Caddy accepts its config (caddy validate)", () => {
  const file = join(dir, "Caddyfile");
  writeFileSync(file, caddyfile(40030, 40031, [40032, 40033, 40034]));
  const result = spawnSync("caddy", ["validate", "--adapter", "caddyfile", "--config", file], {
    encoding: "utf8",
    env: {
      ...process.env,
      XDG_DATA_HOME: join(dir, "caddy-data"),
      XDG_CONFIG_HOME: join(dir, "caddy-config"),
    },
  });
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout + result.stderr, /Valid configuration/);
});
