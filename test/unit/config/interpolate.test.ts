import assert from "node:assert/strict";
import { test } from "node:test";
import { interpolateEnv } from "../../../src/config/interpolate.ts";
import { parseConfigText } from "../../../src/config/load.ts";
import { problemsOf } from "./problems.ts";

const FILE = `upstreams:
  api:
    backends:
      - url: "http://\${BACKEND_HOST}:\${BACKEND_PORT:-8001}"
        weight: \${WEIGHT:-2}
`;

test("set variables and defaults are substituted", () => {
  const { config } = parseConfigText(FILE, { env: { BACKEND_HOST: "10.0.0.5" } });
  assert.deepEqual(config.upstreams.get("api")?.backends, [
    { url: "http://10.0.0.5:8001", weight: 2, backup: false },
  ]);
  const set = parseConfigText(FILE, { env: { BACKEND_HOST: "h", BACKEND_PORT: "9000", WEIGHT: "5" } });
  assert.deepEqual(set.config.upstreams.get("api")?.backends, [
    { url: "http://h:9000", weight: 5, backup: false },
  ]);
});

test("an unset variable without default is an error naming it and where it was used", () => {
  assert.deepEqual(problemsOf(FILE, {}), [
    'upstreams.api.backends[0].url: environment variable "BACKEND_HOST" is not set (write "${BACKEND_HOST:-default}" to give a default)',
  ]);
});

test("every unset variable is reported; other problems still are", () => {
  const text = 'upstreams:\n  api:\n    strategy: nope\n    backends: [{ url: "${A}${B}" }]\n';
  assert.deepEqual(problemsOf(text, {}), [
    'upstreams.api.backends[0].url: environment variable "A" is not set (write "${A:-default}" to give a default)',
    'upstreams.api.backends[0].url: environment variable "B" is not set (write "${B:-default}" to give a default)',
    'upstreams.api.strategy: unknown strategy "nope"; valid: round_robin, weighted_round_robin, least_conn, ip_hash, ip_hash_nginx, consistent_hash, random, p2c, ewma',
  ]);
});

test("$${ is a literal ${; keys are not interpolated; a whole reference takes its YAML type", () => {
  const env = { N: "3", T: "true", S: "text", EMPTY: "" };
  const { value, problems } = interpolateEnv(
    {
      "${N}": "$${N}",
      n: "${N}",
      t: "${T}",
      s: "${S}",
      mixed: "x${N}",
      list: ["${N}"],
      d: "${EMPTY:-dflt}",
      k: 4,
    },
    env,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(value, {
    "${N}": "${N}",
    n: 3,
    t: true,
    s: "text",
    mixed: "x3",
    list: [3],
    d: "dflt",
    k: 4,
  });
});

test("malformed references are errors", () => {
  assert.deepEqual(interpolateEnv({ a: "${1X}", b: "${OPEN" }, {}).problems, [
    { path: "a", message: 'invalid variable reference "${1X}"' },
    { path: "b", message: 'unclosed "${" in "${OPEN" (write "$${" for a literal "${")' },
  ]);
});
