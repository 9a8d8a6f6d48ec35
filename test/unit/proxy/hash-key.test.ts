import assert from "node:assert/strict";
import { test } from "node:test";
import { hashKeyOf } from "../../../src/proxy/hash-key.ts";
import { incoming } from "./upstream-fixture.ts";

const ip = "203.0.113.9";

void test("path: the path without its query, so /cart?a and /cart?b stick together", () => {
  assert.equal(hashKeyOf({ kind: "path" }, incoming("GET", "/cart?page=2&x=1"), ip), "/cart");
  assert.equal(hashKeyOf({ kind: "path" }, incoming("GET", "/cart"), ip), "/cart");
  assert.equal(hashKeyOf({ kind: "path" }, incoming("GET", "/?q"), ip), "/");
});

void test("cookie: the named cookie's value among several, else the client address", () => {
  const cookie = { kind: "cookie", name: "sid" } as const;
  assert.equal(
    hashKeyOf(cookie, incoming("GET", "/", { cookie: "theme=dark; sid=abc123 ; lang=en" }), ip),
    "abc123",
  );
  assert.equal(hashKeyOf(cookie, incoming("GET", "/", { cookie: "xsid=nope; sidx=no" }), ip), ip);
  assert.equal(hashKeyOf(cookie, incoming("GET", "/"), ip), ip);
});

void test("header and ip kinds", () => {
  const header = { kind: "header", name: "x-user-id" } as const;
  assert.equal(hashKeyOf(header, incoming("GET", "/", { "x-user-id": "u-7" }), ip), "u-7");
  assert.equal(hashKeyOf(header, incoming("GET", "/", { "x-user-id": "" }), ip), ip);
  assert.equal(hashKeyOf({ kind: "ip" }, incoming("GET", "/"), ip), ip);
});
