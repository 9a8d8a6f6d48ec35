import assert from "node:assert/strict";
import { test } from "node:test";
import * as D from "../../../src/config/defaults.ts";
import { parseConfigText } from "../../../src/config/load.ts";
import { problemsOf } from "./problems.ts";

const UPSTREAMS = `upstreams:
  api:
    backends: [{ url: "http://127.0.0.1:8001" }]
  web:
    backends: [{ url: "http://127.0.0.1:8002" }]
routes: [{ upstream: web }]
`;

function kafka(section: string): string {
  return `${UPSTREAMS}kafka:\n${section
    .split("\n")
    .map((l) => `  ${l}`)
    .join("\n")}\n`;
}

void test("a bridge naming an unknown upstream, or dead-lettering into its own topic, is refused with its key path", () => {
  const text = kafka(`brokers: ["127.0.0.1:9092"]
bridges:
  - { name: orders, topics: [orders, refunds], upstream: apii, deadLetterTopic: refunds }`);
  assert.deepEqual(problemsOf(text), [
    'kafka.bridges[0].upstream: unknown upstream "apii"; known upstreams: api, web',
    `kafka.bridges[0].deadLetterTopic: "refunds" is one of this bridge's topics: its dead letters would be dispatched again`,
  ]);
});

void test("bad values in the kafka section name their key and what would be valid", () => {
  const text = kafka(`brokers: ["kafka", "127.0.0.1:9092"]
ssl: { caFil: ca.pem }
sasl: { mechanism: kerberos, username: u, password: p }
bridges:
  - name: "bad name"
    topics: ["has space"]
    upstream: api
    path: "/e/{offset}"
    method: GET
    ordering: time
    concurrency: 0
    retry: { tries: 0, backoff: 2s, maxBackoff: 1s, on: [http_4xx] }
    headers: { Host: x, x-kafka-key: y }
    startFrom: middle
  - { name: b, topics: [t], upstream: api, groupId: traceway-c }
  - { name: c, topics: [t], upstream: api }
lag: { groups: ["*", billing], interval: 0 }`);
  assert.deepEqual(problemsOf(text), [
    'kafka.brokers[0]: invalid broker "kafka": expected "host:port"',
    'kafka.sasl.mechanism: unknown SASL mechanism "kerberos"; valid: plain, scram-sha-256, scram-sha-512',
    'kafka.ssl: unknown key "caFil" (did you mean "caFile"?)',
    'kafka.bridges[0].name: invalid bridge name "bad name": use up to 64 letters, digits, "_" and "-"',
    'kafka.bridges[0].topics[0]: invalid topic name "has space": use 1-249 letters, digits, ".", "_" and "-"',
    'kafka.bridges[0].path: unknown placeholder {offset} in "/e/{offset}"; known: {topic}, {partition}, {key}',
    'kafka.bridges[0].method: unknown method "GET"; valid: POST, PUT, PATCH',
    'kafka.bridges[0].headers: header "Host" is set by traceway, not here',
    'kafka.bridges[0].ordering: unknown ordering "time"; valid: key, partition, none',
    "kafka.bridges[0].concurrency: must be at least 1, got 0",
    "kafka.bridges[0].retry.tries: must be at least 1, got 0",
    'kafka.bridges[0].retry.on[0]: unknown retry condition "http_4xx"; valid: error, timeout, http_5xx, http_429',
    'kafka.bridges[0].startFrom: unknown start position "middle"; valid: earliest, latest',
    "kafka.lag.interval: must be at least 1ms, got 0",
    "kafka.bridges[0].retry.maxBackoff: 1000ms is shorter than retry.backoff (2000ms)",
    `kafka.bridges[2].groupId: group "traceway-c" is also bridges[1]'s: two bridges in one group would split its partitions`,
    'kafka.lag.groups: "*" already means every group; list names or "*", not both',
  ]);
});

void test("defaults fill a minimal bridge; an upstream used only by a bridge draws no warning", () => {
  const { config, warnings } = parseConfigText(
    kafka(`brokers: ["127.0.0.1:9092"]
bridges:
  - { name: orders, topics: [orders], upstream: api }`),
    { env: {} },
  );
  assert.deepEqual(warnings, []);
  assert.deepEqual(config.kafka, {
    brokers: ["127.0.0.1:9092"],
    clientId: D.DEFAULT_KAFKA_CLIENT_ID,
    connectionTimeoutMs: D.DEFAULT_KAFKA_CONNECTION_TIMEOUT_MS,
    sasl: undefined,
    ssl: undefined,
    lag: undefined,
    bridges: [
      {
        name: "orders",
        topics: ["orders"],
        groupId: `${D.DEFAULT_BRIDGE_GROUP_PREFIX}orders`,
        upstream: "api",
        path: D.DEFAULT_BRIDGE_PATH,
        method: D.DEFAULT_BRIDGE_METHOD,
        headers: {},
        ordering: D.DEFAULT_BRIDGE_ORDERING,
        concurrency: D.DEFAULT_BRIDGE_CONCURRENCY,
        retry: {
          tries: D.DEFAULT_BRIDGE_RETRY_TRIES,
          backoffMs: D.DEFAULT_BRIDGE_BACKOFF_MS,
          maxBackoffMs: D.DEFAULT_BRIDGE_MAX_BACKOFF_MS,
          on: D.DEFAULT_BRIDGE_RETRY_ON,
        },
        deadLetterTopic: undefined,
        startFrom: D.DEFAULT_BRIDGE_START_FROM,
      },
    ],
  });
});

void test("lag groups: '*' means all groups; partition ordering warns that concurrency is unused", () => {
  const { config, warnings } = parseConfigText(
    kafka(`brokers: ["127.0.0.1:9092"]
ssl: true
bridges:
  - { name: orders, topics: [orders], upstream: api, ordering: partition, concurrency: 8 }
lag: { groups: ["*"], interval: 30s }`),
    { env: {} },
  );
  assert.deepEqual(config.kafka?.lag, { groups: [], allGroups: true, intervalMs: 30_000 });
  assert.deepEqual(config.kafka?.ssl, { rejectUnauthorized: true });
  assert.equal(config.kafka?.bridges[0]?.concurrency, 1);
  assert.deepEqual(warnings, [
    'kafka.bridges[0].concurrency: ordering "partition" dispatches one message at a time, so 8 is not used',
  ]);
});
