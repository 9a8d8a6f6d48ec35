import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { fileURLToPath } from "node:url";
import { ConfigError, loadConfigFile, parseConfigText } from "../../../src/config/load.ts";

const fixture = (name: string) => fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url));

// Written at run time: a broken YAML file in the repository would fail `prettier --check .`.
function syntaxErrorFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "traceway-config-"));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, "syntax-error.yaml");
  writeFileSync(
    file,
    'upstreams:\n  api:\n    backends: [ { url: "http://127.0.0.1:8001" }\n    strategy: round_robin\n',
  );
  return file;
}

test("the example from the configuration contract loads as written", async () => {
  const { config, warnings } = await loadConfigFile(fixture("brief-example.yaml"), { env: {} });
  const api = config.upstreams.get("api");
  assert.equal(api?.backends.length, 3);
  assert.deepEqual(api?.backends[0], { url: "http://127.0.0.1:8001", weight: 3, backup: false });
  assert.equal(api?.backends[2]?.backup, true);
  assert.deepEqual(api?.hashKey, { kind: "header", name: "x-user-id" });
  assert.equal(api?.healthCheck.enabled, true);
  assert.deepEqual(api?.timeouts, { connectMs: 1000, responseMs: 30_000, idleMs: 60_000 });
  assert.deepEqual(config.routes, [
    { match: { host: "api.example.com", pathPrefix: "/api" }, upstream: "api", preserveHost: true },
  ]);
  assert.deepEqual(config.telemetry.traces, {
    enabled: true,
    otlpEndpoint: "http://127.0.0.1:4318/v1/traces",
    sampleRatio: 0.1,
  });
  // hashKey is given for round_robin in that example: valid, but worth a warning.
  assert.deepEqual(warnings, [
    "upstreams.api.hashKey: only consistent_hash uses it (strategy is round_robin)",
  ]);
});

test("JSON files load the same way", async () => {
  const { config } = await loadConfigFile(fixture("minimal.json"), { env: {} });
  assert.equal(config.upstreams.get("api")?.strategy, "least_conn");
  assert.equal(config.upstreams.get("api")?.backends[1]?.weight, 2);
  assert.equal(config.logging.level, "warn");
});

test("a JSON syntax error reports line and column", () => {
  assert.throws(
    () => parseConfigText('{\n  "upstreams": {},\n}\n', { format: "json", source: "c.json" }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems.length === 1 &&
      error.problems[0]?.path === "c.json:3:1" &&
      error.problems[0].message === "JSON syntax error: Expected double-quoted property name",
  );
});

test("a YAML syntax error reports line and column", async () => {
  const file = syntaxErrorFile();
  await assert.rejects(loadConfigFile(file, { env: {} }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.deepEqual(error.problems, [
      {
        path: `${file}:4:5`,
        message:
          "YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]",
      },
    ]);
    return true;
  });
});

test("duplicate YAML keys are errors, merge keys and x- extension keys are allowed", () => {
  assert.throws(
    () =>
      parseConfigText('upstreams:\n  api: { backends: [{ url: "http://a:1" }] }\n  api: {}\n', {
        source: "d.yaml",
      }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems[0]?.message === "YAML syntax error: Map keys must be unique",
  );
  const { config } = parseConfigText(
    `x-common: &common
  strategy: least_conn
  healthCheck: { path: /ready }
upstreams:
  a: { <<: *common, backends: [{ url: "http://a:1" }] }
  b: { <<: *common, backends: [{ url: "http://b:1" }] }
routes: [{ upstream: a }, { match: { pathPrefix: /b }, upstream: b }]
`,
    { env: {} },
  );
  assert.equal(config.upstreams.get("b")?.strategy, "least_conn");
  assert.equal(config.upstreams.get("b")?.healthCheck.path, "/ready");
});

test("an empty file, a missing file", async () => {
  assert.throws(
    () => parseConfigText("# nothing\n", { source: "e.yaml" }),
    (error: unknown) =>
      error instanceof ConfigError &&
      error.problems[0]?.message === "is empty; at least upstreams is required" &&
      error.message.startsWith("e.yaml: 1 configuration problem:"),
  );
  await assert.rejects(
    loadConfigFile(fixture("does-not-exist.yaml")),
    (error: unknown) =>
      error instanceof ConfigError && error.problems[0]?.message.startsWith("cannot read file:") === true,
  );
});

test("ConfigError carries the stable code", () => {
  try {
    parseConfigText("upstreams: {}\n", { source: "x" });
    assert.fail("expected a ConfigError");
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.code, "TRACEWAY_ERR_CONFIG_INVALID");
    assert.equal(error.message, "x: 1 configuration problem:\n  upstreams: define at least one upstream");
  }
});
