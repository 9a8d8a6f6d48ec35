import assert from "node:assert/strict";
import { test } from "node:test";
import { runAttempts } from "../../../src/proxy/attempt-loop.ts";
import {
  fail,
  forwarded,
  incoming,
  respond,
  ScriptedTransport,
  testUpstreamView,
} from "./upstream-fixture.ts";

const RETRY_ALL = { tries: 3, timeoutMs: 0, on: ["error", "timeout", "http_502", "http_503"] as const };

void test("a connect error and a retried 502 move the request on; the 200 is the response relayed", async () => {
  const upstream = testUpstreamView({ retry: { ...RETRY_ALL, on: [...RETRY_ALL.on] } });
  const seen = { discarded: 0 };
  const transport = new ScriptedTransport([fail("connect_error"), respond(502, seen), respond(200)]);
  const x = forwarded(upstream, transport);
  const response = await runAttempts(x);
  assert.equal(response?.kind === "response" && response.status, 200);
  // round_robin over the untried candidates: [1,2,3] → 1, then [2,3] at cursor 1 → 3, then [2].
  assert.deepEqual(transport.attempts, ["127.0.0.1:7001", "127.0.0.1:7003", "127.0.0.1:7002"]);
  assert.deepEqual(upstream.passiveSeen, [
    "127.0.0.1:7001 connect_error",
    "127.0.0.1:7003 http_5xx 502",
    "127.0.0.1:7002 success",
  ]);
  assert.equal(seen.discarded, 1, "the retried 502's body was drained");
  assert.deepEqual(
    upstream.pool.backends.map((b) => b.inFlight),
    [0, 1, 0],
    "only the relayed attempt still holds its slot",
  );
});

void test("a POST that reached the backend is not resent; the client gets that attempt's error", async () => {
  const upstream = testUpstreamView({ retry: { ...RETRY_ALL, on: [...RETRY_ALL.on] } });
  const transport = new ScriptedTransport([fail("reset", true)]);
  const x = forwarded(upstream, transport, incoming("POST", "/orders"));
  assert.equal(await runAttempts(x), undefined);
  assert.deepEqual(transport.attempts, ["127.0.0.1:7001"]);
  assert.equal(x.error?.code, "TRACEWAY_ERR_UPSTREAM_RESET");
});

void test("a POST that never connected goes to the next backend", async () => {
  const upstream = testUpstreamView({ retry: { ...RETRY_ALL, on: [...RETRY_ALL.on] } });
  const transport = new ScriptedTransport([fail("connect_error", false), respond(201)]);
  const response = await runAttempts(forwarded(upstream, transport, incoming("POST", "/orders")));
  assert.equal(response?.kind === "response" && response.status, 201);
  assert.equal(transport.attempts.length, 2);
});

void test("when every backend was tried, the last attempt's error stands (not 'no healthy backend')", async () => {
  const upstream = testUpstreamView({ retry: { ...RETRY_ALL, tries: 5, on: [...RETRY_ALL.on] } }, [
    "http://127.0.0.1:7001",
    "http://127.0.0.1:7002",
  ]);
  const transport = new ScriptedTransport([fail("connect_error"), fail("timeout", true)]);
  const x = forwarded(upstream, transport);
  assert.equal(await runAttempts(x), undefined);
  assert.equal(transport.attempts.length, 2);
  assert.equal(x.error?.code, "TRACEWAY_ERR_UPSTREAM_TIMEOUT");
});

void test("no candidate at all: NO_HEALTHY_BACKEND and no attempt", async () => {
  const upstream = testUpstreamView();
  for (const b of upstream.pool.backends) upstream.pool.setActiveStatus(b, false);
  const transport = new ScriptedTransport([]);
  const x = forwarded(upstream, transport);
  assert.equal(await runAttempts(x), undefined);
  assert.equal(x.error?.code, "TRACEWAY_ERR_NO_HEALTHY_BACKEND");
  assert.deepEqual(transport.attempts, []);
});

void test("the retry budget stops new attempts once spent", async () => {
  const upstream = testUpstreamView({ retry: { ...RETRY_ALL, timeoutMs: 100, on: [...RETRY_ALL.on] } });
  const transport = new ScriptedTransport([fail("timeout", true)], () => upstream.clock.advance(150));
  const x = forwarded(upstream, transport);
  assert.equal(await runAttempts(x), undefined);
  assert.equal(transport.attempts.length, 1);
  assert.equal(x.error?.code, "TRACEWAY_ERR_UPSTREAM_TIMEOUT");
});

void test("a retried status on the last try is relayed as it is", async () => {
  const upstream = testUpstreamView({ retry: { ...RETRY_ALL, tries: 2, on: [...RETRY_ALL.on] } });
  const transport = new ScriptedTransport([respond(503), respond(503)]);
  const response = await runAttempts(forwarded(upstream, transport));
  assert.equal(response?.kind === "response" && response.status, 503);
  assert.equal(transport.attempts.length, 2);
});
