import assert from "node:assert/strict";
import { test } from "node:test";
import {
  hasUntried,
  MUST_QUEUE,
  pickNow,
  pickQueued,
  releaseSlot,
  takeSlot,
} from "../../../src/proxy/backend-selector.ts";
import { testUpstreamView } from "./upstream-fixture.ts";

const request = { hashKey: "k" };

void test("tried backends are never picked again", () => {
  const upstream = testUpstreamView();
  const [a, b, c] = upstream.pool.backends;
  assert.ok(a && b && c);
  assert.equal(pickNow(upstream, upstream, request, [a, c]), b);
  assert.equal(pickNow(upstream, upstream, request, [a, b, c]), undefined);
  assert.equal(hasUntried(upstream, [a, b]), true);
  assert.equal(hasUntried(upstream, [a, b, c]), false);
});

void test("maxConnsPerBackend: full backends are skipped; all full means queue, or nothing without a queue", () => {
  const upstream = testUpstreamView({ maxConnsPerBackend: 1 });
  const [a, b, c] = upstream.pool.backends;
  assert.ok(a && b && c);
  takeSlot(a);
  takeSlot(c);
  assert.equal(pickNow(upstream, upstream, request, undefined), b);
  takeSlot(b);
  assert.equal(pickNow(upstream, upstream, request, undefined), MUST_QUEUE);

  const unqueued = { ...upstream, queue: undefined };
  assert.equal(pickNow(unqueued, unqueued, request, undefined), undefined);
});

void test("a queued pick resolves with the backend whose slot was released", async () => {
  const upstream = testUpstreamView({ maxConnsPerBackend: 1 });
  const [a, b, c] = upstream.pool.backends;
  assert.ok(a && b && c);
  for (const x of [a, b, c]) takeSlot(x);
  const waiting = pickQueued(upstream, upstream, request, undefined);
  assert.equal(upstream.queue?.length, 1);
  releaseSlot(upstream, b);
  assert.equal(await waiting, b);
  assert.equal(upstream.queue?.length, 0);
});

void test("a full queue refuses with QUEUE_FULL", async () => {
  const upstream = testUpstreamView({ maxConnsPerBackend: 1, queue: { size: 0, timeoutMs: 1000 } });
  for (const x of upstream.pool.backends) takeSlot(x);
  await assert.rejects(pickQueued(upstream, upstream, request, undefined), {
    code: "TRACEWAY_ERR_QUEUE_FULL",
    status: 503,
  });
});
