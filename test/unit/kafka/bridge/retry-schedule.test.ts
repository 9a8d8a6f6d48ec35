import assert from "node:assert/strict";
import { test } from "node:test";
import {
  backoffDelay,
  RETRY_AFTER_CAP_MS,
  retryAfterMs,
  retryDelay,
} from "../../../../src/kafka/bridge/retry-schedule.ts";

const retry = { tries: 5, backoffMs: 200, maxBackoffMs: 1000, on: [] };

void test("backoff doubles per failed try up to maxBackoff, jittered within its upper half", () => {
  const low = () => 0;
  const high = () => 0.999999;
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(retry, n, low)),
    [100, 200, 400, 500, 500],
  );
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((n) => backoffDelay(retry, n, high)),
    [200, 400, 800, 1000, 1000],
  );
  assert.equal(
    backoffDelay(retry, 2, () => 0.5),
    300,
  );
  assert.equal(backoffDelay(retry, 10_000, low), 500, "a huge count does not overflow");
});

void test("Retry-After is read as seconds or as an HTTP date, capped, and never shortens the backoff", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(retryAfterMs({ "retry-after": "3" }, now), 3000);
  assert.equal(retryAfterMs({ "retry-after": "Thu, 01 Jan 2026 00:00:02 GMT" }, now), 2000);
  assert.equal(retryAfterMs({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }, now), 0);
  assert.equal(retryAfterMs({ "retry-after": "86400" }, now), RETRY_AFTER_CAP_MS);
  assert.equal(retryAfterMs({ "retry-after": "soon" }, now), undefined);
  assert.equal(retryAfterMs({}, now), undefined);
  assert.equal(retryDelay(400, 3000), 3000);
  assert.equal(retryDelay(400, 100), 400);
  assert.equal(retryDelay(400, undefined), 400);
});
