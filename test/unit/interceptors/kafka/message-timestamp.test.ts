import assert from "node:assert/strict";
import { test } from "node:test";
import { TimestampReader } from "../../../../interceptors/kafka/message-timestamp.ts";

void test("a timestamp reads as Number() would, repeated or not, digits or not", () => {
  const reader = new TimestampReader();
  const inputs = [
    "1700000000000",
    "1700000000000",
    "1700000000001",
    "0",
    "",
    "-1",
    " 1700000000002 ",
    "1e12",
    "0x10",
    "17000000000001234",
    "999999999999999",
    "12a",
    "1700000000001",
  ];
  for (const input of inputs) {
    // A fresh string each time, as kafkajs decodes one per message.
    const text = [...input].join("");
    assert.ok(Object.is(reader.read(text), Number(input)), JSON.stringify(input));
  }
  assert.ok(Number.isNaN(reader.read(undefined as unknown as string)));
  assert.equal(reader.read(null as unknown as string), 0);
});
