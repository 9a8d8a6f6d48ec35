import assert from "node:assert/strict";
import { test } from "node:test";
import { TracewayError, type ErrorKind } from "../../../../src/errors.ts";
import { classify } from "../../../../src/kafka/bridge/dispatch-outcome.ts";
import type { DispatchResult } from "../../../../src/proxy/upstream-dispatcher.ts";

const ALL = ["error", "timeout", "http_5xx", "http_429"] as const;

function status(code: number): DispatchResult {
  return { status: code, headers: {}, body: Buffer.alloc(0), error: undefined, backend: "b", retries: 0 };
}

function failure(kind: ErrorKind): DispatchResult {
  return {
    status: undefined,
    headers: {},
    body: Buffer.alloc(0),
    error: new TracewayError(kind, kind),
    backend: undefined,
    retries: 0,
  };
}

void test("statuses: 2xx delivered, 5xx and 429 retried when listed, anything else rejected at once", () => {
  assert.deepEqual(classify(status(204), ALL), { kind: "delivered" });
  assert.deepEqual(classify(status(503), ALL), { kind: "retry", errorType: "503" });
  assert.deepEqual(classify(status(429), ALL), { kind: "retry", errorType: "429" });
  assert.deepEqual(classify(status(400), ALL), { kind: "reject", errorType: "400" });
  assert.deepEqual(classify(status(404), ALL), { kind: "reject", errorType: "404" });
  assert.deepEqual(classify(status(302), ALL), { kind: "reject", errorType: "302" });
  assert.deepEqual(classify(status(500), ["error"]), { kind: "reject", errorType: "500" });
  assert.deepEqual(classify(status(429), ["http_5xx"]), { kind: "reject", errorType: "429" });
});

void test("errors: the upstream's refusals wait without a try; resets and timeouts are tries", () => {
  assert.deepEqual(classify(failure("NO_HEALTHY_BACKEND"), ALL), {
    kind: "unavailable",
    errorType: "TRACEWAY_ERR_NO_HEALTHY_BACKEND",
    untilHealthy: true,
  });
  for (const kind of ["UPSTREAM_CONNECT", "QUEUE_FULL", "QUEUE_TIMEOUT"] as const) {
    assert.equal(classify(failure(kind), ALL).kind, "unavailable", kind);
  }
  assert.deepEqual(classify(failure("UPSTREAM_TIMEOUT"), ALL), {
    kind: "retry",
    errorType: "TRACEWAY_ERR_UPSTREAM_TIMEOUT",
  });
  assert.deepEqual(classify(failure("UPSTREAM_RESET"), ALL), {
    kind: "retry",
    errorType: "TRACEWAY_ERR_UPSTREAM_RESET",
  });
  assert.deepEqual(classify(failure("UPSTREAM_TIMEOUT"), ["error"]), {
    kind: "reject",
    errorType: "TRACEWAY_ERR_UPSTREAM_TIMEOUT",
  });
  assert.deepEqual(classify(failure("SHUTTING_DOWN"), ALL), { kind: "abandoned" });
});
