import assert from "node:assert/strict";
import { test } from "node:test";
import type { RetryConfig } from "../../../src/config/types.ts";
import { Backend } from "../../../src/pool/backend.ts";
import { RetryPolicy, type AttemptFailure, type RetryContext } from "../../../src/upstream/retry-policy.ts";

const backend = new Backend({ url: "http://10.0.0.1:8080", weight: 1, backup: false });
const policy = (config: Partial<RetryConfig> = {}): RetryPolicy =>
  new RetryPolicy({ tries: 3, timeoutMs: 0, on: ["error", "timeout", "http_503"], ...config });
const failure = (over: Partial<AttemptFailure> = {}): AttemptFailure => ({
  errorType: "connect_error",
  error: new Error("refused"),
  sent: false,
  bodyConsumed: false,
  ...over,
});
const context = (
  over: Partial<RetryContext> & { elapsed?: number; read?: boolean; untried?: boolean } = {},
): RetryContext => ({
  method: over.method ?? "GET",
  attempts: over.attempts ?? 1,
  elapsedMs: () => over.elapsed ?? 0,
  bodyRead: () => over.read ?? false,
  hasUntriedCandidate: () => over.untried ?? true,
});

void test("mayStart: the first attempt always; later ones within tries and the time budget", () => {
  const p = policy({ tries: 2, timeoutMs: 100 });
  assert.equal(p.mayStart(0, context({ elapsed: 1000 })), true);
  assert.equal(p.mayStart(1, context({ elapsed: 99 })), true);
  assert.equal(p.mayStart(1, context({ elapsed: 100 })), false);
  assert.equal(p.mayStart(2, context()), false);
  assert.equal(policy({ timeoutMs: 0 }).mayStart(2, context({ elapsed: 1e9 })), true, "0 = no budget");
});

void test("afterError: resend only what is safe, only for the conditions retry.on lists", () => {
  const rows = [
    ["GET connect_error", policy().afterError(failure(), backend, "GET").retry, true],
    [
      "GET reset after sending",
      policy().afterError(failure({ errorType: "reset", sent: true }), backend, "GET").retry,
      true,
    ],
    [
      "POST reset after sending",
      policy().afterError(failure({ errorType: "reset", sent: true }), backend, "POST").retry,
      false,
    ],
    ["POST never connected", policy().afterError(failure({ sent: false }), backend, "POST").retry, true],
    [
      "GET with its body consumed",
      policy().afterError(failure({ bodyConsumed: true }), backend, "GET").retry,
      false,
    ],
    [
      "timeout without 'timeout'",
      policy({ on: ["error"] }).afterError(failure({ errorType: "timeout" }), backend, "GET").retry,
      false,
    ],
    ["error without 'error'", policy({ on: ["timeout"] }).afterError(failure(), backend, "GET").retry, false],
  ] as const;
  assert.deepEqual(
    rows.map(([name, got]) => [name, got]),
    rows.map(([name, , want]) => [name, want]),
  );
});

void test("afterError names the error the client gets, with the backend and its status", () => {
  const codes: [string, string, number, boolean][] = (
    ["connect_error", "timeout", "reset", "dns_error", "bad_response"] as const
  ).map((errorType) => {
    const { error } = policy().afterError(failure({ errorType, sent: true }), backend, "GET");
    return [errorType, error.code, error.status, error.message.startsWith("backend 10.0.0.1:8080: ")];
  });
  const connectTimeout = policy().afterError(failure({ errorType: "timeout", sent: false }), backend, "GET");
  codes.push(["timeout before sending", connectTimeout.error.code, connectTimeout.error.status, true]);
  // 503 where no backend could take the request, 502/504 where one took it and failed.
  assert.deepEqual(codes, [
    ["connect_error", "TRACEWAY_ERR_UPSTREAM_CONNECT", 503, true],
    ["timeout", "TRACEWAY_ERR_UPSTREAM_TIMEOUT", 504, true],
    ["reset", "TRACEWAY_ERR_UPSTREAM_RESET", 502, true],
    ["dns_error", "TRACEWAY_ERR_UPSTREAM_DNS", 503, true],
    ["bad_response", "TRACEWAY_ERR_UPSTREAM_BAD_RESPONSE", 502, true],
    ["timeout before sending", "TRACEWAY_ERR_UPSTREAM_CONNECT", 503, true],
  ]);
});

void test("retriesResponse: a listed status, with tries, time, a replayable idempotent request and somewhere to go", () => {
  const p = policy({ timeoutMs: 500 });
  const rows = [
    ["listed 503", p.retriesResponse(503, context()), true],
    ["unlisted 502", p.retriesResponse(502, context()), false],
    ["200", p.retriesResponse(200, context()), false],
    ["last try", p.retriesResponse(503, context({ attempts: 3 })), false],
    ["body read", p.retriesResponse(503, context({ read: true })), false],
    ["POST", p.retriesResponse(503, context({ method: "POST" })), false],
    ["PUT (idempotent)", p.retriesResponse(503, context({ method: "PUT" })), true],
    ["nothing untried", p.retriesResponse(503, context({ untried: false })), false],
    ["budget spent", p.retriesResponse(503, context({ elapsed: 500 })), false],
  ] as const;
  assert.deepEqual(
    rows.map(([name, got]) => [name, got]),
    rows.map(([name, , want]) => [name, want]),
  );
});
