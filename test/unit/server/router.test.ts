import assert from "node:assert/strict";
import { test } from "node:test";
import type { RouteConfig } from "../../../src/config/types.ts";
import { Router } from "../../../src/server/router.ts";
import { incoming } from "../proxy/upstream-fixture.ts";

const route = (upstream: string, pathPrefix: string, host?: string): RouteConfig => ({
  match: host === undefined ? { pathPrefix } : { host, pathPrefix },
  upstream,
  preserveHost: true,
});

// Ordered as the config module sorts them: host routes first, longer prefixes first.
const router = new Router([
  route("admin", "/admin", "api.example"),
  route("api", "/", "api.example"),
  route("v2", "/v2/"),
  route("web", "/"),
]);

const match = (url: string, host: string): [string, string] | undefined => {
  const matched = router.match(incoming("GET", url, { host }));
  return matched && [matched.route.upstream, matched.label];
};

void test("host routes match the Host header without port, case-insensitively", () => {
  assert.deepEqual(match("/admin/users", "api.example"), ["admin", "/admin*"]);
  assert.deepEqual(match("/orders", "API.Example:8443"), ["api", "/*"]);
  assert.deepEqual(match("/orders", "www.example"), ["web", "/*"]);
});

void test("the first matching prefix wins, and the label is the route's path template, never the path", () => {
  assert.deepEqual(match("/v2/orders/42?x=1", "www.example"), ["v2", "/v2/*"]);
  assert.deepEqual(match("/v2", "www.example"), ["web", "/*"], "a prefix is matched as written");
  assert.deepEqual(match("/admin", "api.example"), ["admin", "/admin*"], "the * stands for any rest");
});

void test("nothing matches: undefined, which the server answers with NO_ROUTE", () => {
  const hostOnly = new Router([route("api", "/", "api.example"), route("v1", "/v1/")]);
  assert.equal(hostOnly.match(incoming("GET", "/other", { host: "else.example" })), undefined);
  assert.equal(hostOnly.match(incoming("GET", "/other", { host: "[::1]:8080" })), undefined);
});
