import assert from "node:assert/strict";
import { test } from "node:test";
import type { KafkaMessage } from "kafkajs";
import type { KafkaBridgeConfig } from "../../../../src/config/kafka-types.ts";
import { encodeHeaderName, encodeHeaderValue } from "../../../../src/kafka/bridge/header-encoding.ts";
import { messageRequest, PathTemplate } from "../../../../src/kafka/bridge/message-request.ts";

const bridge: KafkaBridgeConfig = {
  name: "orders",
  topics: ["orders"],
  groupId: "g",
  upstream: "api",
  path: "/events/{topic}/{partition}/{key}",
  method: "PUT",
  headers: { "content-type": "application/json", "x-team": "billing" },
  ordering: "key",
  concurrency: 4,
  retry: { tries: 3, backoffMs: 100, maxBackoffMs: 1000, on: ["error"] },
  deadLetterTopic: undefined,
  startFrom: "latest",
};

function message(overrides: Partial<KafkaMessage>): KafkaMessage {
  return {
    key: Buffer.from("user-1"),
    value: Buffer.from('{"id":1}'),
    timestamp: "1767225600000",
    attributes: 0,
    offset: "42",
    size: 0,
    headers: {},
    ...overrides,
  } as KafkaMessage;
}

void test("a message becomes the body and x-kafka-* headers, after the bridge's own headers", () => {
  const request = messageRequest(
    bridge,
    new PathTemplate(bridge.path),
    "orders",
    2,
    message({
      headers: { traceparent: "00-abc-def-01", "Tenant ID": Buffer.from("ä"), dup: ["1", Buffer.from("2")] },
    }),
  );
  assert.equal(request.method, "PUT");
  assert.equal(request.path, "/events/orders/2/user-1");
  assert.equal(request.body?.toString(), '{"id":1}');
  assert.equal(request.route, "kafka:orders");
  assert.equal(request.identity, "user-1");
  assert.deepEqual(request.headers, {
    "content-type": "application/json",
    "x-team": "billing",
    "x-kafka-topic": "orders",
    "x-kafka-partition": "2",
    "x-kafka-offset": "42",
    "x-kafka-timestamp": "1767225600000",
    "x-kafka-key": "user-1",
    "x-kafka-header-traceparent": "00-abc-def-01",
    "x-kafka-header-tenant%20id": "%C3%A4",
    "x-kafka-header-dup": ["1", "2"],
  });
});

void test("null keys and values: no key header, an empty body marked as a tombstone", () => {
  const request = messageRequest(
    { ...bridge, path: "/e", headers: {} },
    new PathTemplate("/e"),
    "orders",
    0,
    message({ key: null, value: null }),
  );
  assert.equal(request.headers["x-kafka-key"], undefined);
  assert.equal(request.headers["x-kafka-tombstone"], "true");
  assert.equal(request.headers["content-type"], "application/octet-stream");
  assert.equal(request.body, undefined);
  assert.equal(request.identity, "");
});

void test("bytes outside visible ASCII (and %) are percent-encoded; decoding gives the bytes back", () => {
  const binary = Buffer.from([0x00, 0x41, 0x25, 0xff, 0x20, 0x7e]);
  const encoded = encodeHeaderValue(binary);
  assert.equal(encoded, "%00A%25%FF%20~");
  const decoded = Buffer.from(
    encoded.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    "latin1",
  );
  assert.deepEqual(decoded, binary);
  assert.equal(decodeURIComponent(encodeHeaderValue(Buffer.from("zürich 1%"))), "zürich 1%");
  assert.equal(encodeHeaderValue(Buffer.from("plain-ascii_value.1")), "plain-ascii_value.1");
  assert.equal(encodeHeaderName("Content-Type"), "content-type");
  assert.equal(encodeHeaderName("a b:c"), "a%20b%3Ac");
});

void test("path placeholders are URL-encoded", () => {
  const path = new PathTemplate("/t/{topic}/k/{key}");
  assert.equal(path.fill("a.b", 1, Buffer.from("x/y z")), "/t/a.b/k/x%2Fy%20z");
  assert.equal(path.fill("a", 1, null), "/t/a/k/");
  assert.equal(new PathTemplate("/fixed").fill("a", 1, null), "/fixed");
});
