import assert from "node:assert/strict";
import { availableParallelism } from "node:os";
import { test } from "node:test";
import { DEFAULTS, parseLoadOptions, type RawLoadOptions } from "../../../src/load/options.ts";

const URL = "http://127.0.0.1:8080/api/orders?x=1";
const BASE: RawLoadOptions = {
  stepDuration: DEFAULTS.stepDuration,
  warmup: DEFAULTS.warmup,
  method: DEFAULTS.method,
  header: [],
  timeout: DEFAULTS.timeout,
  expectStatus: DEFAULTS.expectStatus,
  threshold: [],
};

const plan = (overrides: Partial<RawLoadOptions> = {}, url = URL) =>
  parseLoadOptions(url, { ...BASE, ...overrides });

test("with no options: the closed model over the default steps, a GET with Host and User-Agent", () => {
  const p = plan();
  assert.equal(p.mode, "connections");
  assert.deepEqual(p.levels, [10, 50, 100, 200, 500]);
  assert.deepEqual([p.stepDurationMs, p.warmupMs, p.timeoutMs], [10_000, 5000, 10_000]);
  assert.equal(p.workers, Math.min(availableParallelism(), 500));
  assert.deepEqual(p.expectStatus, [{ min: 200, max: 399 }]);
  assert.deepEqual(p.request.target, { host: "127.0.0.1", port: 8080, tls: false, insecure: false });
  assert.equal(
    p.request.bytes.toString(),
    "GET /api/orders?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: traceway-load\r\n\r\n",
  );
});

test("--rates selects the open model; a POST carries its body with a computed Content-Length", () => {
  const p = plan({
    rates: "1000,5000",
    method: "post",
    body: '{"id":1}',
    header: ["content-type: application/json"],
  });
  assert.equal(p.mode, "rate");
  assert.deepEqual(p.levels, [1000, 5000]);
  assert.equal(p.workers, Math.min(availableParallelism(), 3));
  assert.equal(
    p.request.bytes.toString(),
    'POST /api/orders?x=1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\nUser-Agent: traceway-load\r\ncontent-type: application/json\r\nContent-Length: 8\r\n\r\n{"id":1}',
  );
});

test("https URLs default to port 443 and user:password becomes Basic authorization", () => {
  const p = plan({}, "https://user:p%40ss@example.test/");
  assert.deepEqual(p.request.target, { host: "example.test", port: 443, tls: true, insecure: false });
  assert.match(p.request.bytes.toString(), /\r\nAuthorization: Basic dXNlcjpwQHNz\r\n/);
});

test("each bad option is refused with one message naming the option and the value", () => {
  const cases: Array<[Partial<RawLoadOptions>, string, string?]> = [
    [
      { steps: "10,abc" },
      '--steps: "abc" in "10,abc" is not one of a list of connection counts (e.g. 100,500,1000)',
    ],
    [{ steps: "0" }, '--steps: "0" in "0" is not one of a list of connection counts (e.g. 100,500,1000)'],
    [{ mode: "rate" }, "--mode rate needs --rates, e.g. --rates 1000,5000,10000 (requests per second)"],
    [
      { mode: "rate", rates: "10", steps: "5" },
      "--steps sets connection counts; in --mode rate give the request rates with --rates",
    ],
    [
      { mode: "connections", rates: "10" },
      "--rates needs --mode rate (or leave --mode out); --mode connections takes --steps",
    ],
    [
      { stepDuration: "30" },
      '--step-duration: invalid duration "30": use a number with a unit ms, s, m or h (e.g. "500ms", "5s")',
    ],
    [{ stepDuration: "0s" }, "--step-duration: must be longer than 0"],
    [{ workers: "two" }, '--workers: "two" is not a positive whole number'],
    [{ method: "GE T" }, '--method: "GE T" is not an HTTP method'],
    [{ header: ["no colon"] }, '--header "no colon": expected "name: value"'],
    [
      { header: ["Content-Length: 5"] },
      '--header "Content-Length: 5": content-length is set by traceway load itself',
    ],
    [
      { body: "@/nonexistent/order.json" },
      '--body @/nonexistent/order.json: cannot read "/nonexistent/order.json" (ENOENT)',
    ],
    [
      { expectStatus: "2xx,abc" },
      '--expect-status: "abc" is not a status, range or class (e.g. 200-399,404 or 2xx)',
    ],
    [
      { threshold: ["p99<2x"] },
      'bad threshold "p99<2x": "2x" is not a duration; write e.g. 500ms, 2s or 250us',
    ],
    [{ prometheus: "localhost:9090" }, '--prometheus: "localhost:9090" is not an http(s) URL'],
    [
      { report: "/nonexistent/dir/r.html" },
      '--report: cannot write "/nonexistent/dir/r.html": folder /nonexistent/dir is missing or not writable',
    ],
    [{}, 'bad URL "ftp://127.0.0.1/": only http:// and https:// are supported', "ftp://127.0.0.1/"],
    [{}, 'bad URL "127.0.0.1:8080": expected e.g. http://127.0.0.1:8080/api/orders', "127.0.0.1:8080"],
    [{}, 'bad URL "http//x": expected e.g. http://127.0.0.1:8080/api/orders', "http//x"],
  ];
  for (const [overrides, message, url] of cases) {
    assert.throws(() => plan(overrides, url), { name: "LoadInputError", message }, message);
  }
});

test("--expect-status accepts single codes, ranges and classes", () => {
  assert.deepEqual(plan({ expectStatus: "200-299, 404,5xx" }).expectStatus, [
    { min: 200, max: 299 },
    { min: 404, max: 404 },
    { min: 500, max: 599 },
  ]);
});
