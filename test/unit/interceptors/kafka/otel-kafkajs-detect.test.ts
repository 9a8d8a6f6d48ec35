import assert from "node:assert/strict";
import { test } from "node:test";
import { isInstrumentedByOtelKafkajs } from "../../../../interceptors/kafka/otel-kafkajs-detect.ts";

void test("recognises the marks @opentelemetry/instrumentation-kafkajs leaves, and nothing else", () => {
  const listenersMarked = {
    run() {},
    [Symbol("opentelemetry.instrumentation.kafkajs.eventListenersSet")]: true,
  };
  assert.equal(isInstrumentedByOtelKafkajs(listenersMarked, "run"), true);

  const original = () => {};
  const wrapped = Object.assign(() => {}, { __wrapped: true, __original: original, __unwrap: () => {} });
  assert.equal(isInstrumentedByOtelKafkajs({ send: wrapped }, "send"), true);

  assert.equal(isInstrumentedByOtelKafkajs({ run() {} }, "run"), false);
  assert.equal(isInstrumentedByOtelKafkajs({ [Symbol("something.else")]: true, send() {} }, "send"), false);
});
