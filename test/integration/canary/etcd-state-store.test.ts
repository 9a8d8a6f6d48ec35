import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import { CanaryController } from "../../../src/canary/canary-controller.ts";
import { defaultStateStore, runKeyOf } from "../../../src/canary/canary-manager.ts";
import { defaultCanaryKey, EtcdStateStore } from "../../../src/canary/etcd-state-store.ts";
import type { CanaryStateStore } from "../../../src/canary/state-store.ts";
import type { CanaryConfig, UpstreamConfig } from "../../../src/config/types.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { FakeScheduler } from "../../unit/health/fake-scheduler.ts";

// A canary on an upstream fed by etcd discovery keeps its run in that etcd (no stateFile needed),
// so a restarted balancer — or another one sharing the etcd — takes the run up where it was.

const UPSTREAM = `canary-test-${randomUUID().slice(0, 8)}`;
const CANARY: CanaryConfig = {
  backends: [{ url: "http://127.0.0.1:8201", weight: 1, backup: false }],
  select: undefined,
  steps: [5, 25, 50, 100],
  intervalMs: 60_000,
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
/** An upstream whose backends come from etcd discovery. */
const UPSTREAM_CONFIG: UpstreamConfig = {
  ...testUpstream(UPSTREAM, []),
  canary: CANARY,
  discovery: {
    etcd: {
      endpoints: [ETCD_ENDPOINT],
      prefix: `/services/${UPSTREAM}/`,
      format: "auto",
      auth: undefined,
      tls: undefined,
      dialTimeoutMs: 2000,
      cacheFile: undefined,
    },
  },
};

let client: Etcd3;
const stores: CanaryStateStore[] = [];

before(async () => {
  await ensureServices("etcd");
  client = new Etcd3({ hosts: [ETCD_ENDPOINT] });
});

after(async () => {
  for (const store of stores) await store.close();
  await client.delete().key(defaultCanaryKey(UPSTREAM));
  client.close();
});

function controller(): CanaryController {
  const store = defaultStateStore(UPSTREAM_CONFIG);
  assert.ok(store instanceof EtcdStateStore, "an etcd-discovered upstream keeps its canary in etcd");
  stores.push(store);
  return new CanaryController(UPSTREAM, runKeyOf(CANARY), CANARY, {
    clock: new ManualClock(),
    now: Date.now,
    scheduler: new FakeScheduler(),
    events: {
      onTransition: () => {},
      onAnalysis: () => {},
      onStoreError: (e) => assert.fail(String(e.error)),
    },
    execute: () => {},
    side: () => undefined,
    store,
  });
}

test("the run is saved under traceway/canary/<upstream> and resumed by the next controller", async () => {
  const first = controller();
  await first.start();
  assert.equal(first.view().phase, "progressing");
  first.act("pause", "ops");
  await first.stop(); // waits for the last save

  const saved = JSON.parse((await client.get(defaultCanaryKey(UPSTREAM)).string()) ?? "null") as {
    phase: string;
    upstream: string;
  };
  assert.deepEqual([saved.upstream, saved.phase], [UPSTREAM, "paused"]);

  const second = controller();
  await second.start();
  const view = second.view();
  assert.equal(view.phase, "paused");
  assert.equal(view.startedAt, first.view().startedAt, "the same run");
  assert.match(
    view.transitions[0]?.reason ?? "",
    new RegExp(`resumed from etcd traceway/canary/${UPSTREAM} after a restart`),
  );
  await second.stop();
});

test("a record for another upstream under the key is refused, not resumed", async () => {
  const store = new EtcdStateStore(client, defaultCanaryKey(UPSTREAM), "someone-else", false);
  await assert.rejects(store.load(), /holds upstream "canary-test-[0-9a-f]+", not "someone-else"/);
});
