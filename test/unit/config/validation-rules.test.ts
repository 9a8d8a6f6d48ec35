import assert from "node:assert/strict";
import { test } from "node:test";
import { problemsOf, upstreamWith } from "./problems.ts";

test("an unknown key is named, with the key it was probably meant to be", () => {
  assert.deepEqual(problemsOf(upstreamWith("stratgy: round_robin")), [
    'upstreams.api: unknown key "stratgy" (did you mean "strategy"?)',
  ]);
  assert.deepEqual(problemsOf(`${upstreamWith("")}\nbogus: 1\n`), ['config: unknown key "bogus"']);
});

test("backend URL must be http(s) with a host; path shows [index]", () => {
  const text = `upstreams:
  api:
    backends:
      - url: "http://127.0.0.1:8001"
      - url: "http://127.0.0.1:8002"
      - url: "htp:/x"
      - url: "ftp://files"
`;
  assert.deepEqual(problemsOf(text), [
    'upstreams.api.backends[2].url: invalid URL "htp:/x"',
    'upstreams.api.backends[3].url: invalid URL "ftp://files": scheme must be http or https',
  ]);
});

test("weight is a whole number 1..1000", () => {
  const text = `upstreams:
  api:
    backends:
      - { url: "http://a:1", weight: 0 }
      - { url: "http://a:2", weight: 1.5 }
      - { url: "http://a:3", weight: 1001 }
      - { url: "http://a:4", weight: "3" }
`;
  assert.deepEqual(problemsOf(text), [
    "upstreams.api.backends[0].weight: must be at least 1, got 0",
    "upstreams.api.backends[1].weight: must be a whole number, got 1.5",
    "upstreams.api.backends[2].weight: must be at most 1000, got 1001",
    'upstreams.api.backends[3].weight: expected a number, got "3"',
  ]);
});

test("duplicate backend origins are an error", () => {
  const text = `upstreams:
  api:
    backends:
      - url: "http://127.0.0.1:8001"
      - url: "http://127.0.0.1:8001/"
`;
  assert.deepEqual(problemsOf(text), [
    'upstreams.api.backends[1].url: duplicate backend "http://127.0.0.1:8001/": same origin as backends[0]',
  ]);
});

test("an upstream needs a backend, and one that is not a backup", () => {
  assert.deepEqual(problemsOf("upstreams:\n  api:\n    backends: []\n"), [
    "upstreams.api.backends: must not be empty",
  ]);
  assert.deepEqual(problemsOf('upstreams:\n  api:\n    backends: [{ url: "http://a:1", backup: true }]\n'), [
    "upstreams.api.backends: needs at least one backend without backup: true",
  ]);
  assert.deepEqual(problemsOf("upstreams:\n  api:\n    strategy: p2c\n"), [
    "upstreams.api: needs backends (a list in this file) or discovery (e.g. discovery.etcd)",
  ]);
  assert.deepEqual(problemsOf("upstreams: {}\n"), ["upstreams: define at least one upstream"]);
  assert.deepEqual(problemsOf("server: {}\n"), ["upstreams: is required"]);
});

test("an unknown strategy lists the valid names", () => {
  assert.deepEqual(problemsOf(upstreamWith("strategy: roundrobin")), [
    'upstreams.api.strategy: unknown strategy "roundrobin"; valid: round_robin, weighted_round_robin, least_conn, ip_hash, ip_hash_nginx, consistent_hash, random, p2c, ewma',
  ]);
});

test("hashKey syntax", () => {
  assert.deepEqual(problemsOf(upstreamWith('strategy: consistent_hash\nhashKey: "query:id"')), [
    'upstreams.api.hashKey: invalid hashKey "query:id": use ip, path, header:NAME or cookie:NAME',
  ]);
});

test("retry: tries >= 1 and known conditions", () => {
  assert.deepEqual(problemsOf(upstreamWith("retry: { tries: 0, on: [error, http_501] }")), [
    "upstreams.api.retry.tries: must be at least 1, got 0",
    'upstreams.api.retry.on[1]: unknown retry condition "http_501"; valid: error, timeout, http_500, http_502, http_503, http_504, http_429',
  ]);
});

test("health check: expectStatus syntax, durations, thresholds, path", () => {
  const text = upstreamWith(
    'healthCheck: { path: healthz, interval: 5x, timeout: 0s, unhealthyThreshold: 0, expectStatus: "200-99", jitter: 2 }',
  );
  assert.deepEqual(problemsOf(text), [
    'upstreams.api.healthCheck.path: must start with "/", got "healthz"',
    'upstreams.api.healthCheck.interval: invalid duration "5x": use a number with a unit ms, s, m or h (e.g. "500ms", "5s")',
    'upstreams.api.healthCheck.timeout: must be at least 1ms, got "0s"',
    "upstreams.api.healthCheck.unhealthyThreshold: must be at least 1, got 0",
    'upstreams.api.healthCheck.expectStatus: invalid status list "200-99": "200-99" is not a status or "min-max" range',
    "upstreams.api.healthCheck.jitter: must be at most 1, got 2",
  ]);
});

test("negative durations are refused", () => {
  assert.deepEqual(problemsOf(upstreamWith("timeouts: { connect: -1s }")), [
    'upstreams.api.timeouts.connect: invalid duration "-1s": must not be negative',
  ]);
});

test("listen addresses, trusted proxies, sampleRatio, log level and format, transport", () => {
  const text = `${upstreamWith("")}
server: { listen: "0.0.0.0:70000", trustedProxies: ["10.0.0.0/33"], transport: fast }
telemetry: { prometheus: { listen: "::1:9464" }, traces: { sampleRatio: 1.5 } }
logging: { level: verbose, format: logfmt }
`;
  assert.deepEqual(problemsOf(text), [
    'server.listen: invalid listen address "0.0.0.0:70000": port must be 0..65535',
    'server.transport: unknown transport "fast"; valid: http-proxy, undici',
    'server.trustedProxies[0]: invalid address "10.0.0.0/33": prefix length must be 0..32',
    'telemetry.prometheus.listen: invalid listen address "::1:9464": put IPv6 addresses in brackets, e.g. "[::1]:8080"',
    "telemetry.traces.sampleRatio: must be at most 1, got 1.5",
    'logging.level: unknown log level "verbose"; valid: trace, debug, info, warn, error, fatal, silent',
    'logging.format: unknown log format "logfmt"; valid: json, ecs',
  ]);
});

test("server.workers is a whole number of processes from 1 to 256, or auto", () => {
  const workers = (value: string) => problemsOf(`${upstreamWith("")}\nserver: { workers: ${value} }\n`);
  assert.deepEqual(workers("auto"), []);
  assert.deepEqual(workers("4"), []);
  assert.deepEqual(workers("0"), ["server.workers: must be at least 1, got 0"]);
  assert.deepEqual(workers("1.5"), ["server.workers: must be a whole number, got 1.5"]);
  assert.deepEqual(workers("257"), ["server.workers: must be at most 256, got 257"]);
  assert.deepEqual(workers("all"), ['server.workers: expected a number of processes or "auto", got "all"']);
});

test("the removed native transport is refused with the transports that remain", () => {
  assert.deepEqual(problemsOf(`${upstreamWith("")}\nserver: { transport: native }\n`), [
    'server.transport: unknown transport "native"; valid: http-proxy, undici',
  ]);
});

test("wrong value types say what was expected and what was found", () => {
  assert.deepEqual(problemsOf(upstreamWith('panicMode: "yes"\nqueue: 5')), [
    "upstreams.api.queue: expected a mapping, got 5",
    'upstreams.api.panicMode: expected true or false, got "yes"',
  ]);
  assert.deepEqual(problemsOf("- a\n"), ['config: expected a mapping, got ["a"]']);
});

test("upstream names are plain words", () => {
  assert.deepEqual(problemsOf('upstreams:\n  "a.b":\n    backends: [{ url: "http://a:1" }]\n'), [
    'upstreams: invalid upstream name "a.b": use letters, digits, "_" and "-"',
  ]);
});

test("every problem is reported, not only the first", () => {
  const text = `upstreams:
  api:
    stratgy: round_robin
    backends:
      - { url: "htp:/x", weight: 0 }
server: { listen: nowhere }
logging: { level: loud }
`;
  assert.equal(problemsOf(text).length, 5);
});
