import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../../../src/config/load.ts";
import { problemsOf } from "./problems.ts";

const TWO_UPSTREAMS = `upstreams:
  api: { backends: [{ url: "http://127.0.0.1:8001" }] }
  web: { backends: [{ url: "http://127.0.0.1:8002" }] }
`;

test("with one upstream and no routes, a catch-all route to it is implied", () => {
  const { config, warnings } = parseConfigText('upstreams:\n  api: { backends: [{ url: "http://a:1" }] }\n', {
    env: {},
  });
  assert.deepEqual(config.routes, [{ match: { pathPrefix: "/" }, upstream: "api", preserveHost: true }]);
  assert.deepEqual(warnings, []);
});

test("with several upstreams, routes are required", () => {
  assert.deepEqual(problemsOf(TWO_UPSTREAMS), [
    "routes: is required when there is more than one upstream (api, web)",
  ]);
  assert.deepEqual(problemsOf(`${TWO_UPSTREAMS}routes: []\n`), [
    "routes: must list at least 1 route (omit routes to send everything to a single upstream)",
  ]);
});

test("a route to an unknown upstream names the route index and lists the known ones", () => {
  assert.deepEqual(
    problemsOf(
      `${TWO_UPSTREAMS}routes:\n  - { upstream: api }\n  - { match: { pathPrefix: /w }, upstream: wbe }\n`,
    ),
    ['routes[1].upstream: unknown upstream "wbe"; known upstreams: api, web'],
  );
});

test("an upstream no route uses is a warning, not an error", () => {
  const { warnings } = parseConfigText(`${TWO_UPSTREAMS}routes:\n  - { upstream: api }\n`, { env: {} });
  assert.deepEqual(warnings, ["upstreams.web: not used by any route"]);
});

test("routes are ordered by specificity: host first, then longest pathPrefix, then file order", () => {
  const { config } = parseConfigText(
    `${TWO_UPSTREAMS}routes:
  - { upstream: web }
  - { match: { pathPrefix: /api }, upstream: api }
  - { match: { pathPrefix: /api/v2 }, upstream: web }
  - { match: { host: API.example.com }, upstream: api }
  - { match: { host: api.example.com, pathPrefix: /admin }, upstream: web, preserveHost: false }
  - { match: { host: other.example.com, pathPrefix: /admin }, upstream: api }
`,
    { env: {} },
  );
  assert.deepEqual(
    config.routes.map((r) => `${r.match.host ?? "*"}${r.match.pathPrefix}`),
    ["api.example.com/admin", "other.example.com/admin", "api.example.com/", "*/api/v2", "*/api", "*/"],
  );
  assert.equal(config.routes[0]?.preserveHost, false);
});

test("route match syntax: host without port, pathPrefix starting with /, no duplicates", () => {
  const text = `upstreams:
  api: { backends: [{ url: "http://a:1" }] }
routes:
  - { match: { host: "a.com:80", pathPrefix: "api" }, upstream: api }
  - { match: { pathPrefix: "/" }, upstream: api }
  - { upstream: api }
`;
  assert.deepEqual(problemsOf(text), [
    'routes[0].match.host: invalid host "a.com:80": routes match the host without its port',
    'routes[0].match.pathPrefix: must start with "/", got "api"',
    "routes[2].match: same host and pathPrefix as routes[1]; this route would never match",
  ]);
});
