import assert from "node:assert/strict";
import { after, test } from "node:test";
import { createHttpClientInterceptor, instrumentConsumer } from "../../../interceptors/index.ts";
import { createFakeConsumer, message } from "./kafka/fake-consumer.ts";
import { createTestTelemetry, enableContextManager } from "./kafka/telemetry-fixture.ts";

enableContextManager();
const telemetry = createTestTelemetry();
after(() => telemetry.shutdown());

class PaymentDeclined extends Error {}

/** The same failures thrown into an HTTP client call and into a Kafka handler. */
const cases: readonly { readonly thrown: unknown; readonly errorType: string }[] = [
  { thrown: Object.assign(new Error("refused"), { code: "ECONNREFUSED" }), errorType: "ECONNREFUSED" },
  { thrown: new PaymentDeclined("card"), errorType: "PaymentDeclined" },
  { thrown: new TypeError("bad"), errorType: "TypeError" },
  { thrown: "a bare string", errorType: "_OTHER" },
  { thrown: Object.create(null) as unknown, errorType: "_OTHER" },
];

async function httpErrorType(thrown: unknown, n: number): Promise<unknown> {
  const client = createHttpClientInterceptor({
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
  });
  const url = `http://http-${n}.test:80/`;
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- non-Errors are thrown too, and must map to _OTHER
  await assert.rejects(client.intercept({ method: "GET", url, headers: {} }, () => Promise.reject(thrown)));
  return telemetry.spans().find((s) => s.attributes["url.full"] === url)?.attributes["error.type"];
}

async function kafkaErrorType(thrown: unknown, n: number): Promise<unknown> {
  const fake = createFakeConsumer();
  const consumer = instrumentConsumer(fake.consumer, {
    tracerProvider: telemetry.tracerProvider,
    meterProvider: telemetry.meterProvider,
    groupId: "error-type",
  });
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- as above
  await consumer.run({ eachMessage: () => Promise.reject(thrown) });
  const topic = `kafka-${n}`;
  await assert.rejects(
    fake.runConfig().eachMessage?.({
      topic,
      partition: 0,
      message: message(0),
      heartbeat: () => Promise.resolve(),
      pause: () => () => {},
    }) ?? Promise.resolve(),
  );
  return telemetry.spans().find((s) => s.attributes["messaging.destination.name"] === topic)?.attributes[
    "error.type"
  ];
}

void test("HTTP and Kafka give the same error.type for the same thrown value: code, class name, _OTHER", async () => {
  const seen: [unknown, unknown][] = [];
  for (const [n, { thrown }] of cases.entries()) {
    seen.push([await httpErrorType(thrown, n), await kafkaErrorType(thrown, n)]);
  }
  assert.deepEqual(
    seen,
    cases.map(({ errorType }) => [errorType, errorType]),
  );
});
