import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, it } from "node:test";
import { Etcd3 } from "etcd3";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { endpointValue } from "../discovery/discovery-harness.ts";
import { scrape, spread, startInstance, total, type Instance, type LogLine } from "./instance.ts";

const BACKENDS = /^traceway_discovery_backends$/;

/** Backends (host:port) each worker's access lines name, by worker pid. */
function backendsByWorker(lines: readonly LogLine[]): Map<number, Set<string>> {
  const seen = new Map<number, Set<string>>();
  for (const l of lines) {
    let set = seen.get(l.pid);
    if (!set) seen.set(l.pid, (set = new Set()));
    set.add(l["backend"] as string);
  }
  return seen;
}

// The primary watches the etcd prefix once for the instance and relays every set to the workers:
// a registered backend is served by every worker, a deregistered one by none, and the discovery
// series count the backends once, not once per worker.
describe("etcd discovery in a two-worker instance", () => {
  const prefix = `/traceway-test/${randomUUID()}/api/`;
  let etcd: Etcd3;
  let backends: TestBackend[];
  let instance: Instance;
  let metricsUrl: string;
  const addr = (b: TestBackend): string => `127.0.0.1:${b.port}`;

  before(async () => {
    await ensureServices("etcd");
    etcd = new Etcd3({ hosts: ETCD_ENDPOINT });
    backends = await Promise.all(["a", "b", "c"].map((n) => startBackend(n)));
    const [a, b] = backends;
    await etcd.put(`${prefix}a`).value(endpointValue(addr(a!)));
    await etcd.put(`${prefix}b`).value(endpointValue(addr(b!)));
    const metricsPort = await closedPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        "upstreams:",
        "  api:",
        "    strategy: round_robin",
        `    discovery: { etcd: { endpoints: ["${ETCD_ENDPOINT}"], prefix: "${prefix}" } }`,
        `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance?.stop();
    await Promise.all((backends ?? []).map((b) => b.kill()));
    await etcd?.delete().prefix(prefix);
    etcd?.close();
  });

  /** Waits until the instance's scrape counts `n` discovered backends; every worker has the set by then. */
  async function discovered(n: number): Promise<number> {
    // The primary relays a set before it answers a later scrape, and the scrape asks each worker
    // over that same channel: once the scrape shows the set, every worker has applied it.
    return waitFor(
      async () => {
        const value = total(await scrape(metricsUrl), BACKENDS, { traceway_upstream: "api" });
        return value === n ? value : undefined;
      },
      { what: `the scrape to count ${n} discovered backends` },
    );
  }

  it("the registered backends are served by both workers", async () => {
    assert.equal(await discovered(2), 2, "two keys are two backends, once for the instance");
    const mark = instance.access().length;
    const bodies = await spread(`${instance.url}/x`, 200, 8);
    assert.deepEqual([...bodies.keys()].sort(), ["a", "b"]);
    const seen = backendsByWorker(await instance.accessAfter(mark, 200));
    assert.equal(seen.size, 2, "both workers served");
    for (const [pid, set] of seen)
      assert.deepEqual([...set].sort(), [addr(backends[0]!), addr(backends[1]!)].sort(), `worker ${pid}`);
  });

  it("a backend that registers is served by every worker, one that leaves by none", async () => {
    const [a, b, c] = backends as [TestBackend, TestBackend, TestBackend];
    await etcd.put(`${prefix}c`).value(endpointValue(addr(c)));
    await discovered(3);
    let mark = instance.access().length;
    await spread(`${instance.url}/x`, 300, 8);
    let seen = backendsByWorker(await instance.accessAfter(mark, 300));
    assert.equal(seen.size, 2, "both workers served");
    for (const [pid, set] of seen)
      assert.deepEqual([...set].sort(), [addr(a), addr(b), addr(c)].sort(), `worker ${pid} serves c`);

    await etcd.delete().key(`${prefix}a`);
    await discovered(2);
    const aServed = a.requests.length;
    mark += 300;
    const bodies = await spread(`${instance.url}/x`, 300, 8);
    assert.deepEqual([...bodies.keys()].sort(), ["b", "c"]);
    seen = backendsByWorker(await instance.accessAfter(mark, 300));
    assert.equal(seen.size, 2, "both workers served");
    for (const [pid, set] of seen)
      assert.deepEqual([...set].sort(), [addr(b), addr(c)].sort(), `worker ${pid} no longer sends to a`);
    assert.equal(a.requests.length, aServed, "a got no request after it left");
  });
});
