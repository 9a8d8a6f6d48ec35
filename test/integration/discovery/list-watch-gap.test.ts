import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import pino from "pino";
import { etcdPrefixSource } from "../../../src/discovery/etcd-prefix-source.ts";
import { startEtcdUpstreamDiscovery } from "../../../src/discovery/etcd-upstream-discovery.ts";
import type { DiscoveredBackend } from "../../../src/discovery/etcd-value.ts";
import { noopDiscoveryObserver } from "../../../src/discovery/discovery-observer.ts";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue } from "./discovery-harness.ts";

// The watch starts at the list's revision + 1: a registration written after the list answered
// but before the watch was created is still seen. The source below writes one in exactly that gap.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  await etcd.put(`${prefix}a`).value(endpointValue("127.0.0.1:9201"));
});

after(async () => {
  await etcd.delete().prefix(prefix);
  etcd.close();
});

void test("a registration made between the list and the watch is not lost", async () => {
  const real = etcdPrefixSource(etcd);
  const source = {
    async list(p: string) {
      const listing = await real.list(p);
      await etcd.put(`${prefix}b`).value(endpointValue("127.0.0.1:9202"));
      return listing;
    },
    openWatchStream: () => real.openWatchStream(),
  };
  const sets: (readonly DiscoveredBackend[])[] = [];
  const config = {
    endpoints: [ETCD_ENDPOINT],
    prefix,
    format: "auto" as const,
    auth: undefined,
    tls: undefined,
    dialTimeoutMs: 2000,
    cacheFile: undefined,
  };
  const discovery = await startEtcdUpstreamDiscovery(
    "api",
    config,
    { logger: pino({ level: "silent" }), observer: noopDiscoveryObserver, source },
    (set) => sets.push(set),
  );
  try {
    assert.deepEqual(
      sets[0]?.map((b) => b.url),
      ["http://127.0.0.1:9201"],
    );
    await waitFor(() => sets.at(-1)?.length === 2, { what: "b, put in the gap, to arrive by the watch" });
    assert.deepEqual(
      sets.at(-1)?.map((b) => b.url),
      ["http://127.0.0.1:9201", "http://127.0.0.1:9202"],
    );
    assert.equal(discovery.lists, 1);
  } finally {
    await discovery.stop();
  }
});
