import assert from "node:assert/strict";
import { test } from "node:test";
import { parseEtcdValue } from "../../../src/discovery/etcd-value.ts";

const backend = (
  url: string,
  extra: Partial<{ weight: number; backup: boolean; metadata: object }> = {},
) => ({
  ok: true,
  value: { url, weight: 1, backup: false, metadata: {}, ...extra },
});

test("etcd-endpoints: etcd's naming JSON, with and without Op, a bare Addr being plain HTTP", () => {
  assert.deepEqual(
    parseEtcdValue("etcd-endpoints", '{"Op":0,"Addr":"10.0.0.7:8080","Metadata":null}'),
    backend("http://10.0.0.7:8080"),
  );
  assert.deepEqual(
    parseEtcdValue(
      "etcd-endpoints",
      '{"Addr":"10.0.0.7:8080","Metadata":{"version":"1.2","weight":4,"backup":true}}',
    ),
    backend("http://10.0.0.7:8080", {
      weight: 4,
      backup: true,
      metadata: { version: "1.2", weight: 4, backup: true },
    }),
  );
  assert.deepEqual(
    parseEtcdValue("etcd-endpoints", '{"Addr":"https://api.internal:8443"}'),
    backend("https://api.internal:8443"),
  );
  // gRPC allows any JSON as metadata: kept, not dropped.
  assert.deepEqual(
    parseEtcdValue("etcd-endpoints", '{"Addr":"h:1","Metadata":"zone-b"}'),
    backend("http://h:1", { metadata: { value: "zone-b" } }),
  );
});

test("traceway: url, weight, backup, metadata", () => {
  assert.deepEqual(
    parseEtcdValue(
      "traceway",
      '{"url":"http://10.0.0.8:8080","weight":3,"backup":false,"metadata":{"zone":"a"}}',
    ),
    backend("http://10.0.0.8:8080", { weight: 3, metadata: { zone: "a" } }),
  );
  assert.deepEqual(parseEtcdValue("traceway", Buffer.from('{"url":"http://h:80"}')), backend("http://h"));
});

test("auto reads both shapes; a fixed format refuses the other", () => {
  assert.equal(parseEtcdValue("auto", '{"Addr":"h:1"}').ok, true);
  assert.equal(parseEtcdValue("auto", '{"url":"http://h:1"}').ok, true);
  assert.deepEqual(parseEtcdValue("traceway", '{"Addr":"h:1"}'), {
    ok: false,
    message: 'unknown key "Addr"; known: url, weight, backup, metadata',
  });
  assert.deepEqual(parseEtcdValue("etcd-endpoints", '{"url":"http://h:1"}'), {
    ok: false,
    message: '"Addr" must be "host:port", got nothing',
  });
});

test("malformed values say what is wrong", () => {
  const cases: Array<[string, string]> = [
    ["h:1", 'not JSON: "h:1"'],
    ["[1]", "expected a JSON object, got [1]"],
    ['{"address":"h:1"}', 'expected an object with "Addr" (etcd-endpoints) or "url" (traceway)'],
    ['{"Op":1,"Addr":"h:1"}', '"Op" is 1; only 0 (add) is a backend'],
    ['{"Addr":"h:99999"}', '"Addr": invalid URL "http://h:99999"'],
    ['{"Addr":"h:1","Metadata":{"weight":"3"}}', '"Metadata.weight" must be a whole number 1..1000, got "3"'],
    [
      '{"url":"http://h:1/api"}',
      '"url": invalid URL "http://h:1/api": backends are origins (scheme://host:port), without a path or query',
    ],
    ['{"url":"http://h:1","weight":0}', '"weight" must be a whole number 1..1000, got 0'],
    ['{"url":"http://h:1","backup":"no"}', '"backup" must be true or false, got "no"'],
    ['{"url":"http://h:1","metadata":[1]}', '"metadata" must be an object, got [1]'],
  ];
  for (const [value, message] of cases)
    assert.deepEqual(parseEtcdValue("auto", value), { ok: false, message }, value);
});
