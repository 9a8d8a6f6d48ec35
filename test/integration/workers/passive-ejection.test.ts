import assert from "node:assert/strict";
import { Agent } from "node:http";
import { after, before, describe, it } from "node:test";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { byPid, get, scrape, spread, startInstance, total, type Instance } from "./instance.ts";

const MAX_FAILS = 2;
const MAX_TRIES = 50;

describe("a passive ejection in one worker holds in every worker", () => {
  let a: TestBackend;
  let b: TestBackend;
  let instance: Instance;
  let metricsUrl: string;
  before(async () => {
    a = await startBackend("a", (req, res) => {
      req.resume();
      res.writeHead(502).end("bad gateway");
    });
    b = await startBackend("b");
    const metricsPort = await closedPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        "upstreams:",
        "  api:",
        `    backends: [{ url: "${a.url}" }, { url: "${b.url}" }]`,
        "    retry: { on: [error, timeout, http_502] }",
        `    passive: { maxFails: ${MAX_FAILS}, failTimeout: 60s, consecutive5xx: 0 }`,
        `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance.stop();
    await Promise.all([a.kill(), b.kill()]);
  });

  it(`${MAX_FAILS} failures seen by one worker eject the backend for all of them`, async (t) => {
    // One connection, so one worker alone sees a fail (each failed attempt is retried on b).
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let ejection;
    let sent = 0;
    try {
      for (let i = 0; i < MAX_TRIES && ejection === undefined; i++) {
        sent++;
        assert.deepEqual(await get(`${instance.url}/x`, agent), { status: 200, body: "b" });
        ejection = instance.lines().find((l) => l.msg === "backend ejected");
      }
    } finally {
      agent.destroy();
    }
    assert.ok(ejection, `no ejection after ${MAX_TRIES} requests`);
    const ejector = ejection.pid;
    assert.ok([...instance.workers.values()].includes(ejector));
    assert.equal(a.requests.length, MAX_FAILS, "a saw only the failed attempts of the ejecting worker");

    // The scrape asks each worker after the primary relayed the ejection on the same channel.
    const samples = await waitFor(
      async () => {
        const s = await scrape(metricsUrl);
        return total(s, /^traceway_upstream_backend_up$/, { traceway_backend: `127.0.0.1:${a.port}` }) === 0
          ? s
          : undefined;
      },
      { what: "the scrape to show a ejected" },
    );
    assert.equal(
      total(samples, /^traceway_upstream_backend_ejections(_total)?$/),
      1,
      "counted once, by its worker",
    );
    assert.equal(
      total(samples, /^traceway_upstream_backend_transitions(_total)?$/, {
        traceway_backend: `127.0.0.1:${a.port}`,
        traceway_backend_state: "down",
      }),
      1,
    );

    // One access line each: all written before the mark, so every line after it is a later request's.
    await instance.accessAfter(0, sent);
    const mark = sent;
    const bodies = await spread(`${instance.url}/x`, 200, 8);
    assert.deepEqual([...bodies], [["b", 200]]);
    const later = await instance.accessAfter(mark, 200);
    assert.deepEqual(
      [...byPid(later).keys()].sort(),
      [...instance.workers.values()].sort(),
      "both workers served",
    );
    assert.equal(a.requests.length, MAX_FAILS, "no worker sent a an attempt after the ejection");
    assert.deepEqual(
      later.filter((l) => l["retries"] !== 0),
      [],
    );
    t.diagnostic(
      `ejected by worker ${ejector}; later requests per worker: ${JSON.stringify(Object.fromEntries(byPid(later)))}`,
    );
  });
});
