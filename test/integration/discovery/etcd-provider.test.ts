import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, test } from "node:test";
import { Etcd3 } from "etcd3";
import pino from "pino";
import { etcdProvider } from "../../../src/discovery/etcd-provider.ts";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue } from "./discovery-harness.ts";

// The provider adapter: an upstream with discovery.etcd reports its full set under its own name,
// as backend specs, on start and on every change; after stop it reports nothing more.
const prefix = `/traceway-test/${randomUUID()}/api/`;
let etcd: Etcd3;

before(async () => {
  await ensureServices("etcd");
  etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
  await etcd.put(`${prefix}a`).value(endpointValue("127.0.0.1:9901", { weight: 4 }));
});

after(async () => {
  await etcd.delete().prefix(prefix);
  etcd.close();
});

void test("the etcd provider reports the upstream's full set on start and on change, and nothing after stop", async () => {
  const upstream = testUpstream("api", [], {
    discovery: {
      etcd: {
        endpoints: [ETCD_ENDPOINT],
        prefix,
        format: "etcd-endpoints",
        auth: undefined,
        tls: undefined,
        dialTimeoutMs: 2000,
        cacheFile: undefined,
      },
    },
  });
  const reports: Array<[string, string[]]> = [];
  const provider = etcdProvider(upstream, { logger: pino({ level: "silent" }) });
  assert.equal(provider.name, "etcd");
  await provider.start((name, backends) =>
    reports.push([name, backends.map((b) => `${b.url} w${b.weight}`)]),
  );
  assert.deepEqual(reports, [["api", ["http://127.0.0.1:9901 w4"]]]);

  await etcd.put(`${prefix}b`).value(endpointValue("127.0.0.1:9902"));
  await waitFor(() => reports.length === 2, { what: "the second report" });
  assert.deepEqual(reports[1], ["api", ["http://127.0.0.1:9901 w4", "http://127.0.0.1:9902 w1"]]);

  await provider.stop();
  await etcd.put(`${prefix}c`).value(endpointValue("127.0.0.1:9903"));
  // A later registration arrives through a fresh watcher, proving the change was there to be seen.
  const check = etcdProvider(upstream, { logger: pino({ level: "silent" }) });
  const seen: number[] = [];
  await check.start((_, backends) => seen.push(backends.length));
  await check.stop();
  assert.deepEqual(seen, [3]);
  assert.equal(reports.length, 2, "the stopped provider reported nothing more");
});
