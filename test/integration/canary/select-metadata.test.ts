import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pino from "pino";
import type { UpstreamView } from "../../../src/admin/api-types.ts";
import { startAdmin, type RunningAdmin } from "../../../src/admin/admin-server.ts";
import type { BackendSpec, CanaryConfig } from "../../../src/config/types.ts";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { runLoad } from "../../helpers/load-loop.ts";
import { testConfig, testUpstream } from "../../helpers/test-config.ts";
import { createTestDiscovery, type TestDiscovery } from "../../helpers/test-provider.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { adminGet, TOKEN } from "./canary-fixture.ts";

// select: { metadata: { version: v2 } }: the canary set is whatever discovery reports with those
// labels, snapshot by snapshot; the rest is the stable set. The share applies between the sets.

const CANARY: CanaryConfig = {
  backends: [],
  select: { metadata: { version: "v2" } },
  steps: [50, 100],
  intervalMs: 3_600_000,
  analysis: {
    maxP99Ms: 2000,
    maxErrorRate: 0.01,
    minRequests: 50,
    maxIdleIntervals: 10,
    prometheus: undefined,
    metrics: [],
  },
  failureLimit: 2,
  stickiness: undefined,
  header: undefined,
  confirmPromotion: false,
  stateFile: undefined,
};

let backends: TestBackend[];
let discovery: TestDiscovery;
let balancer: RunningBalancer;
let admin: RunningAdmin;

before(async () => {
  backends = [await startBackend("v1-a"), await startBackend("v1-b"), await startBackend("v2-a")];
  discovery = createTestDiscovery();
  balancer = await startBalancer({
    config: testConfig([{ ...testUpstream("api", []), canary: CANARY }]),
    discovery: discovery.factory,
    logger: pino({ level: "silent" }),
  });
  admin = await startAdmin(
    {
      enabled: true,
      host: "127.0.0.1",
      port: 0,
      tokens: [{ name: "ops", token: TOKEN }],
      readAccess: "token",
    },
    { control: balancer.control, logger: pino({ level: "silent" }) },
  );
});

after(async () => {
  await admin?.close();
  await balancer?.close();
  for (const b of backends ?? []) await b.kill();
});

const spec = (b: TestBackend, version: string): BackendSpec => ({
  url: b.url,
  weight: 1,
  backup: false,
  source: "etcd",
  metadata: { version },
});

async function roles(): Promise<Record<string, string>> {
  const view = await adminGet<UpstreamView>(admin.url, "/api/v1/upstreams/api");
  const entries: [string, string][] = view.backends.map((b) => [b.name.split(":")[1] ?? "", b.role]);
  return Object.fromEntries(entries);
}

test("discovered backends labelled version v2 form the canary set, snapshot by snapshot", async () => {
  const [a, b, c] = backends as [TestBackend, TestBackend, TestBackend];
  discovery.publishSpecs("api", [spec(a, "v1"), spec(b, "v1"), spec(c, "v2")]);
  await waitFor(() => balancer.control.canaries.get("api").view().share === 50, {
    what: "the canary at 50%",
  });
  assert.deepEqual(await roles(), {
    [String(a.port)]: "stable",
    [String(b.port)]: "stable",
    [String(c.port)]: "canary",
  });
  let results = await runLoad({ url: balancer.url, count: 200, maxMs: 20_000, concurrency: 1 });
  assert.equal(
    results.filter((r) => r.backend === "v2-a").length,
    100,
    "half the requests to the one canary backend",
  );

  // b is redeployed as v2: it moves to the canary side; the split between the sides stays 50/50.
  discovery.publishSpecs("api", [spec(a, "v1"), spec(b, "v2"), spec(c, "v2")]);
  assert.deepEqual(await roles(), {
    [String(a.port)]: "stable",
    [String(b.port)]: "canary",
    [String(c.port)]: "canary",
  });
  results = await runLoad({ url: balancer.url, count: 200, maxMs: 20_000, concurrency: 1 });
  assert.equal(results.filter((r) => r.backend === "v1-a").length, 100);
  assert.equal(
    results.filter((r) => r.backend === "v1-b").length + results.filter((r) => r.backend === "v2-a").length,
    100,
  );
});
