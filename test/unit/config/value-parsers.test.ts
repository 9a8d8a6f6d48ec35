import assert from "node:assert/strict";
import { test } from "node:test";
import { parseAddressRange } from "../../../src/config/address-range.ts";
import { parseBackendUrl } from "../../../src/config/backend-url.ts";
import { closest } from "../../../src/config/closest.ts";
import { parseHashKey } from "../../../src/config/hash-key-source.ts";
import { parseListen } from "../../../src/config/listen.ts";
import { parseStatusRanges } from "../../../src/config/status-ranges.ts";

test("listen addresses: host:port, [ipv6]:port, :port, bare port", () => {
  assert.deepEqual(parseListen("0.0.0.0:8080"), { ok: true, value: { host: "0.0.0.0", port: 8080 } });
  assert.deepEqual(parseListen("[::1]:8080"), { ok: true, value: { host: "::1", port: 8080 } });
  assert.deepEqual(parseListen("localhost:0"), { ok: true, value: { host: "localhost", port: 0 } });
  assert.deepEqual(parseListen(":9000"), { ok: true, value: { host: "0.0.0.0", port: 9000 } });
  assert.deepEqual(parseListen(9000), { ok: true, value: { host: "0.0.0.0", port: 9000 } });
});

test("bad listen addresses say what is wrong", () => {
  assert.deepEqual(parseListen("127.0.0.1:65536"), {
    ok: false,
    message: 'invalid listen address "127.0.0.1:65536": port must be 0..65535',
  });
  assert.deepEqual(parseListen("::1:8080"), {
    ok: false,
    message: 'invalid listen address "::1:8080": put IPv6 addresses in brackets, e.g. "[::1]:8080"',
  });
  assert.deepEqual(parseListen("8080"), {
    ok: false,
    message: 'invalid listen address "8080": expected "host:port"',
  });
  assert.deepEqual(parseListen("host:http"), {
    ok: false,
    message: 'invalid listen address "host:http": bad port "http"',
  });
  assert.deepEqual(parseListen("[x]:80"), {
    ok: false,
    message: 'invalid listen address "[x]:80": "x" is not an IPv6 address',
  });
});

test("expectStatus: single, range and lists", () => {
  assert.deepEqual(parseStatusRanges("200"), { ok: true, value: [{ min: 200, max: 200 }] });
  assert.deepEqual(parseStatusRanges(204), { ok: true, value: [{ min: 204, max: 204 }] });
  assert.deepEqual(parseStatusRanges("200-399"), { ok: true, value: [{ min: 200, max: 399 }] });
  assert.deepEqual(parseStatusRanges("200, 204,300-399"), {
    ok: true,
    value: [
      { min: 200, max: 200 },
      { min: 204, max: 204 },
      { min: 300, max: 399 },
    ],
  });
  assert.deepEqual(parseStatusRanges("399-200"), {
    ok: false,
    message: 'invalid status list "399-200": range "399-200" is reversed',
  });
  assert.deepEqual(parseStatusRanges("200-700"), {
    ok: false,
    message: 'invalid status list "200-700": statuses are 100..599',
  });
  assert.deepEqual(parseStatusRanges("2xx"), {
    ok: false,
    message: 'invalid status list "2xx": "2xx" is not a status or "min-max" range',
  });
});

test("hashKey sources", () => {
  assert.deepEqual(parseHashKey("ip"), { ok: true, value: { kind: "ip" } });
  assert.deepEqual(parseHashKey("path"), { ok: true, value: { kind: "path" } });
  assert.deepEqual(parseHashKey("header:X-User-Id"), {
    ok: true,
    value: { kind: "header", name: "x-user-id" },
  });
  assert.deepEqual(parseHashKey("cookie:Session"), { ok: true, value: { kind: "cookie", name: "Session" } });
  assert.deepEqual(parseHashKey("query:id"), {
    ok: false,
    message: 'invalid hashKey "query:id": use ip, path, header:NAME or cookie:NAME',
  });
  assert.deepEqual(parseHashKey("header:"), {
    ok: false,
    message: 'invalid hashKey "header:": "" is not a valid header name',
  });
});

test("backend URLs normalise to their origin; anything else is refused", () => {
  assert.deepEqual(parseBackendUrl("http://127.0.0.1:8001"), { ok: true, value: "http://127.0.0.1:8001" });
  assert.deepEqual(parseBackendUrl("HTTPS://Example.com:443/"), { ok: true, value: "https://example.com" });
  assert.deepEqual(parseBackendUrl("htp:/x"), { ok: false, message: 'invalid URL "htp:/x"' });
  assert.deepEqual(parseBackendUrl("http:/x"), { ok: false, message: 'invalid URL "http:/x"' });
  assert.deepEqual(parseBackendUrl("127.0.0.1:8001"), { ok: false, message: 'invalid URL "127.0.0.1:8001"' });
  assert.deepEqual(parseBackendUrl("ftp://host"), {
    ok: false,
    message: 'invalid URL "ftp://host": scheme must be http or https',
  });
  assert.deepEqual(parseBackendUrl("http://host/api"), {
    ok: false,
    message:
      'invalid URL "http://host/api": backends are origins (scheme://host:port), without a path or query',
  });
});

test("trusted proxy entries are addresses or CIDRs", () => {
  assert.deepEqual(parseAddressRange("10.0.0.0/8"), { ok: true, value: "10.0.0.0/8" });
  assert.deepEqual(parseAddressRange("::1"), { ok: true, value: "::1" });
  assert.deepEqual(parseAddressRange("fd00::/129"), {
    ok: false,
    message: 'invalid address "fd00::/129": prefix length must be 0..128',
  });
  assert.deepEqual(parseAddressRange("localhost"), {
    ok: false,
    message: 'invalid address "localhost": expected an IP address or CIDR such as "10.0.0.0/8"',
  });
});

test("typo suggestions", () => {
  const keys = ["strategy", "hashKey", "backends", "healthCheck"];
  assert.equal(closest("stratgy", keys), "strategy");
  assert.equal(closest("stratgey", keys), "strategy");
  assert.equal(closest("hashkey", keys), "hashKey");
  assert.equal(closest("zzz", keys), undefined);
});
