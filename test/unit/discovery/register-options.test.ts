import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEtcdValue } from "../../../src/discovery/etcd-value.ts";
import { parseRegisterFlags, registrationValue } from "../../../src/discovery/register-options.ts";

const base = {
  etcd: "http://127.0.0.1:2379,http://etcd-2:2379",
  prefix: "/services/api/",
  url: "http://10.0.0.7:8080",
};

test("defaults: key is PREFIX + host:port, 10 s TTL, traceway format, no health check", () => {
  const parsed = parseRegisterFlags(base);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value, {
    endpoints: ["http://127.0.0.1:2379", "http://etcd-2:2379"],
    key: "/services/api/10.0.0.7:8080",
    value: '{"url":"http://10.0.0.7:8080","weight":1,"backup":false,"metadata":{}}',
    url: "http://10.0.0.7:8080",
    ttlSeconds: 10,
    health: undefined,
    auth: undefined,
    tls: undefined,
    dialTimeoutMs: 2000,
  });
});

test("health, auth and TLS flags", () => {
  const parsed = parseRegisterFlags({
    ...base,
    etcd: "https://etcd:2379",
    id: "api-1",
    health: "http://10.0.0.7:8080/healthz",
    healthInterval: "500ms",
    unhealthyThreshold: "1",
    user: "svc:pa:ss",
    cacert: "/ca.pem",
  });
  assert.ok(parsed.ok);
  assert.equal(parsed.value.key, "/services/api/api-1");
  assert.deepEqual(parsed.value.health, {
    url: new URL("http://10.0.0.7:8080/healthz"),
    intervalMs: 500,
    timeoutMs: 1000,
    unhealthyThreshold: 1,
    healthyThreshold: 2,
  });
  assert.deepEqual(parsed.value.auth, { username: "svc", password: "pa:ss" });
  assert.deepEqual(parsed.value.tls, { ca: "/ca.pem" });
});

test("both formats write values the balancer reads back to the same backend", () => {
  const r = { url: "http://10.0.0.7:8080", weight: 3, backup: true, metadata: { version: "2" } };
  const expected = { url: r.url, weight: 3, backup: true };
  for (const format of ["traceway", "etcd-endpoints"] as const) {
    const read = parseEtcdValue(format, registrationValue(format, r));
    assert.ok(read.ok, format);
    assert.deepEqual({ url: read.value.url, weight: read.value.weight, backup: read.value.backup }, expected);
  }
  assert.equal(
    registrationValue("etcd-endpoints", { ...r, weight: 1, backup: false }),
    '{"Op":0,"Addr":"10.0.0.7:8080","Metadata":{"version":"2"}}',
  );
});

test("every bad flag is one message naming it", () => {
  const cases: Array<[Record<string, string>, string]> = [
    [{ etcd: "" }, "--etcd is required"],
    [
      { etcd: "http://a:2379,https://b:2379" },
      "--etcd: mixes http and https; use one scheme for every member",
    ],
    [{ url: "10.0.0.7:8080" }, '--url: invalid URL "10.0.0.7:8080"'],
    [{ id: "a/b" }, '--id: must be non-empty and without "/", got "a/b"'],
    [{ ttl: "0s" }, '--ttl: etcd leases last whole seconds, at least 1s; got "0s"'],
    [
      { health: "tcp://h:1" },
      '--health: invalid URL "tcp://h:1": the health check speaks HTTP: use http or https',
    ],
    [
      { health: "http://h:1/", healthTimeout: "fast" },
      '--health-timeout: invalid duration "fast": use a number with a unit ms, s, m or h (e.g. "500ms", "5s")',
    ],
    [
      { healthyThreshold: "2", health: "http://h:1/", unhealthyThreshold: "-1" },
      '--unhealthy-threshold: must be a whole number 1..1000, got "-1"',
    ],
    [{ user: "svc" }, '--user: expected NAME:PASSWORD (no ":" or no name)'],
    [{ user: "svc:" }, "--user: the password after the ':' is empty"],
    [{ etcd: "https://e:2379", key: "/k.pem" }, "--cert is required with --key"],
    [{ dialTimeout: "0" }, '--dial-timeout: must be at least 1ms, got "0"'],
  ];
  for (const [flags, message] of cases) {
    assert.deepEqual(
      parseRegisterFlags({ ...base, ...flags }),
      { ok: false, message },
      JSON.stringify(flags),
    );
  }
});
