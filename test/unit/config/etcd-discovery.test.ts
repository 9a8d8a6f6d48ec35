import assert from "node:assert/strict";
import { test } from "node:test";
import { parseConfigText } from "../../../src/config/load.ts";
import { problemsOf } from "./problems.ts";

const etcdUpstream = (etcd: string, extra = "") =>
  `upstreams:\n  api:\n${extra}    discovery:\n      etcd:\n${etcd
    .split("\n")
    .map((l) => `        ${l}`)
    .join("\n")}\n`;

test("discovery.etcd is normalised with its defaults", () => {
  const { config, warnings } = parseConfigText(
    etcdUpstream('endpoints: ["http://127.0.0.1:2379", "http://etcd-2:2379/"]\nprefix: /services/api/'),
    { env: {} },
  );
  assert.deepEqual(warnings, []);
  const api = config.upstreams.get("api");
  assert.deepEqual(api?.backends, []);
  assert.deepEqual(api?.discovery, {
    etcd: {
      endpoints: ["http://127.0.0.1:2379", "http://etcd-2:2379"],
      prefix: "/services/api/",
      format: "auto",
      auth: undefined,
      tls: undefined,
      dialTimeoutMs: 2000,
      cacheFile: undefined,
    },
  });
});

test("every discovery.etcd key is read: auth, TLS files, format, dialTimeout, cacheFile", () => {
  const { config } = parseConfigText(
    etcdUpstream(
      [
        'endpoints: ["https://etcd:2379"]',
        "prefix: /services/api/",
        "format: etcd-endpoints",
        "username: ${ETCD_USER:-}",
        "password: ${ETCD_PASSWORD:-}",
        "tls: { ca: /etc/etcd/ca.pem, cert: /etc/etcd/client.pem, key: /etc/etcd/client-key.pem }",
        "dialTimeout: 500ms",
        "cacheFile: /var/lib/traceway/api.json",
      ].join("\n"),
    ),
    { env: { ETCD_USER: "traceway", ETCD_PASSWORD: "s3cret" } },
  );
  assert.deepEqual(config.upstreams.get("api")?.discovery?.etcd, {
    endpoints: ["https://etcd:2379"],
    prefix: "/services/api/",
    format: "etcd-endpoints",
    auth: { username: "traceway", password: "s3cret" },
    tls: { ca: "/etc/etcd/ca.pem", cert: "/etc/etcd/client.pem", key: "/etc/etcd/client-key.pem" },
    dialTimeoutMs: 500,
    cacheFile: "/var/lib/traceway/api.json",
  });
});

test("an empty username (an unset ${ETCD_USER:-}) means no auth", () => {
  const { config } = parseConfigText(
    etcdUpstream('endpoints: ["http://127.0.0.1:2379"]\nprefix: /s/\nusername: ""\npassword: ""'),
    { env: {} },
  );
  assert.equal(config.upstreams.get("api")?.discovery?.etcd.auth, undefined);
});

test("backends and discovery together, or neither, name the key path", () => {
  assert.deepEqual(
    problemsOf(
      etcdUpstream(
        'endpoints: ["http://127.0.0.1:2379"]\nprefix: /s/',
        '    backends: [{ url: "http://127.0.0.1:8001" }]\n',
      ),
    ),
    [
      "upstreams.api.discovery: cannot be used together with backends: list the backends here or discover them, not both",
    ],
  );
  assert.deepEqual(problemsOf("upstreams:\n  api:\n    strategy: p2c\n"), [
    "upstreams.api: needs backends (a list in this file) or discovery (e.g. discovery.etcd)",
  ]);
});

test("bad discovery.etcd values are reported with their key paths", () => {
  const problems = problemsOf(
    etcdUpstream(
      [
        'endpoints: ["http://127.0.0.1", "https://etcd:2379", "etcd:2379", "http://etcd:2379/v3"]',
        "prefix: ''",
        "format: json",
        "tls: { cert: /c.pem }",
        "username: traceway",
        "dialTimeout: 0",
        "cacheFil: /x",
      ].join("\n"),
    ),
  );
  assert.deepEqual(problems, [
    'upstreams.api.discovery.etcd.endpoints[0]: invalid URL "http://127.0.0.1": name the port, e.g. "http://127.0.0.1:2379"',
    'upstreams.api.discovery.etcd.endpoints[2]: invalid URL "etcd:2379": give the scheme, e.g. "http://etcd:2379"',
    'upstreams.api.discovery.etcd.endpoints[3]: invalid URL "http://etcd:2379/v3": etcd endpoints are origins (scheme://host:port), without a path or query',
    "upstreams.api.discovery.etcd.prefix: must not be empty",
    'upstreams.api.discovery.etcd.format: unknown value format "json"; valid: auto, etcd-endpoints, traceway',
    "upstreams.api.discovery.etcd.dialTimeout: must be at least 1ms, got 0",
    'upstreams.api.discovery.etcd: unknown key "cacheFil" (did you mean "cacheFile"?)',
  ]);
});

test("rules between discovery.etcd keys: one scheme, TLS only with https, cert with key, user with password", () => {
  assert.deepEqual(
    problemsOf(
      etcdUpstream(
        'endpoints: ["http://a:2379", "https://b:2379"]\nprefix: /s/\ntls: { key: /k.pem }\npassword: p',
      ),
    ),
    [
      "upstreams.api.discovery.etcd.endpoints: mixes http and https; use one scheme for every member",
      "upstreams.api.discovery.etcd.tls.cert: is required when tls.key is set",
      "upstreams.api.discovery.etcd.username: is required when password is set",
    ],
  );
  assert.deepEqual(
    problemsOf(etcdUpstream('endpoints: ["http://a:2379"]\nprefix: /s/\ntls: { ca: /ca.pem }\nusername: u')),
    [
      "upstreams.api.discovery.etcd.tls: is set but the endpoints use http://; use https:// endpoints",
      "upstreams.api.discovery.etcd.password: is required when username is set",
    ],
  );
});

test("a prefix without a trailing slash is a warning: it also matches sibling services", () => {
  const { warnings } = parseConfigText(etcdUpstream('endpoints: ["http://a:2379"]\nprefix: /services/api'), {
    env: {},
  });
  assert.deepEqual(warnings, [
    'upstreams.api.discovery.etcd.prefix: "/services/api" does not end with "/", so keys of "/services/api-other/" match it too',
  ]);
});
