import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { BUILD_TIMEOUT_MS, startGinService } from "./example-processes.ts";
import type { GinService } from "./example-processes.ts";

// The demo knob behind alert drills: one instance answers 5xx or turns slow, from its flags or at
// run time through PUT /admin/faults, while /healthz stays green.
let service: GinService;
let flagged: GinService;

before(
  async () => {
    [service, flagged] = await Promise.all([
      startGinService(["--etcd", "", "--kafka", ""]),
      startGinService(["--etcd", "", "--kafka", "", "--error-rate", "1", "--latency", "300ms"]),
    ]);
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all([service?.stop(), flagged?.stop()]);
});

async function putFaults(body: unknown): Promise<Response> {
  return fetch(`${service.url}/admin/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

async function timedGet(url: string): Promise<{ status: number; ms: number; body: unknown }> {
  const started = performance.now();
  const response = await fetch(url);
  const body: unknown = await response.json();
  return { status: response.status, ms: performance.now() - started, body };
}

void test("flags: --error-rate 1 --latency 300ms make every API answer a slow 500; /healthz stays 200", async () => {
  const result = await timedGet(`${flagged.url}/api/items`);
  assert.equal(result.status, 500);
  assert.equal((result.body as { error: string }).error, "injected_fault");
  assert.ok(result.ms >= 300, `took ${result.ms} ms`);
  assert.equal((await fetch(`${flagged.url}/healthz`)).status, 200);
});

void test("PUT /admin/faults errorRate 1: every request answers 5xx, until it is set back to 0", async () => {
  assert.equal((await putFaults({ errorRate: 1, latencyMs: 0 })).status, 200);
  for (let i = 0; i < 10; i++) {
    assert.equal((await timedGet(`${service.url}/api/items`)).status, 500);
  }
  const metrics = await (await fetch(`${service.url}/metrics`)).text();
  assert.match(metrics, /^fault_injection_error_ratio 1$/m);
  assert.deepEqual(await (await fetch(`${service.url}/admin/faults`)).json(), { errorRate: 1, latencyMs: 0 });
  assert.equal((await putFaults({ errorRate: 0 })).status, 200);
  assert.equal((await timedGet(`${service.url}/api/items`)).status, 200);
});

void test("PUT /admin/faults latencyMs: a request takes at least that long", async () => {
  assert.equal((await putFaults({ errorRate: 0, latencyMs: 600 })).status, 200);
  const result = await timedGet(`${service.url}/orders/${crypto.randomUUID()}`);
  assert.equal(result.status, 404);
  assert.ok(result.ms >= 600, `took ${result.ms} ms`);
  assert.equal((await putFaults({ errorRate: 0, latencyMs: 0 })).status, 200);
});

void test("PUT /admin/faults rejects bad settings with a message naming the field", async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ errorRate: 2 }, /^errorRate: must be between 0 and 1, got 2$/],
    [{ latencyMs: -5 }, /^latencyMs: must be between 0 and 300000, got -5$/],
    [{ errorRat: 0.5 }, /unknown field "errorRat"/],
  ];
  for (const [body, message] of cases) {
    const response = await putFaults(body);
    assert.equal(response.status, 400);
    assert.match(((await response.json()) as { message: string }).message, message);
  }
  assert.deepEqual(await (await fetch(`${service.url}/admin/faults`)).json(), { errorRate: 0, latencyMs: 0 });
});
