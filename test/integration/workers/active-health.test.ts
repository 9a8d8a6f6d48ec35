import assert from "node:assert/strict";
import type { IncomingMessage, ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { clientSideOwner } from "./connections.ts";
import { byPid, get, scrape, startInstance, total, type Instance, type LogLine } from "./instance.ts";

const INTERVAL_MS = 500;
const PROBES = 6;
const MAX_LOAD_REQUESTS = 5000;

interface Probe {
  readonly at: number;
  readonly from: number | undefined;
}

describe("active health checks run once per instance and every worker follows their verdict", () => {
  let a: TestBackend;
  let b: TestBackend;
  let instance: Instance;
  let metricsUrl: string;
  let healthy = true;
  const probes: Probe[] = [];
  before(async () => {
    const pids = (): number[] => [instance.primary, ...instance.workers.values()];
    const handler = (req: IncomingMessage, res: ServerResponse, backend: TestBackend): void => {
      req.resume();
      if (req.url === "/healthz") {
        // Probes from before the instance said it listens are not counted: their senders are unknown.
        if (backend === a && instance)
          probes.push({
            at: performance.now(),
            from: clientSideOwner(pids(), req.socket.remotePort!, a.port),
          });
        res.writeHead(backend === a && !healthy ? 500 : 200).end();
        return;
      }
      res.writeHead(200).end(backend.name);
    };
    a = await startBackend("a", handler);
    b = await startBackend("b", handler);
    const metricsPort = await closedPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        "upstreams:",
        "  api:",
        `    backends: [{ url: "${a.url}" }, { url: "${b.url}" }]`,
        `    healthCheck: { interval: ${INTERVAL_MS}ms, timeout: ${INTERVAL_MS}ms, unhealthyThreshold: 1, healthyThreshold: 1, jitter: 0 }`,
        `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance.stop();
    await Promise.all([a.kill(), b.kill()]);
  });

  it(`probes a backend once per ${INTERVAL_MS} ms from the primary, not once per worker`, async (t) => {
    await waitFor(() => probes.length >= PROBES, {
      what: `${PROBES} probes at backend a`,
      timeoutMs: 20_000,
    });
    const gaps = probes.slice(1, PROBES).map((p, i) => Math.round(p.at - probes[i]!.at));
    // One checker: each probe starts an interval after the last one ended. Two would interleave.
    for (const gap of gaps) assert.ok(gap >= INTERVAL_MS - 20, `probe gaps ${gaps.join(", ")} ms`);
    const senders = new Set(probes.slice(0, PROBES).map((p) => p.from));
    assert.deepEqual([...senders], [instance.primary], "every probe comes from the primary");
    t.diagnostic(`gaps between probes: ${gaps.join(", ")} ms`);
  });

  it("a backend the checker marks down gets no request from any worker within one interval", async (t) => {
    let running = true;
    let sent = 0;
    const load = async (): Promise<void> => {
      while (running && sent < MAX_LOAD_REQUESTS) {
        sent++;
        await get(`${instance.url}/x`, false);
      }
    };
    const loops = [load(), load(), load(), load()];
    try {
      // Both workers send to a before the verdict changes.
      await waitFor(
        () => {
          const toA = instance.access().filter((l) => l["backend"] === `127.0.0.1:${a.port}`);
          return byPid(toA).size === 2;
        },
        { what: "both workers sending to a" },
      );
      const mark = instance.lines().length;
      healthy = false;
      const down = await instance.waitForLine(
        (l) => l.msg === "backend down" && l.pid === instance.primary,
        "the primary to mark a down",
        mark,
      );
      // The scrape asks each worker over the channel the verdict went out on, after it: once the
      // scrape says down, every worker has applied it.
      const samples = await waitFor(
        async () => {
          const s = await scrape(metricsUrl);
          return total(s, /^traceway_upstream_backend_up$/, { traceway_backend: `127.0.0.1:${a.port}` }) === 0
            ? s
            : undefined;
        },
        { what: "the scrape to show a down" },
      );
      // Every worker has applied the verdict by now (the last request each sent to a is bounded below).
      const applied = Date.now();
      const loggedAfter = (): LogLine[] =>
        instance.access().filter((l) => Date.parse(l["timestamp"] as string) > applied);
      await waitFor(() => byPid(loggedAfter()).size === 2, {
        what: "requests through both workers after the verdict",
      });
      running = false;
      await Promise.all(loops);
      await instance.accessAfter(0, sent); // every line written (a worker writes them in batches)

      // One verdict for the instance, not one per worker: one up series per backend, and a's
      // down transitions are the primary's "backend down" lines for it (one, unless a probe slowed
      // by a busy machine timed out earlier).
      const upSeries = (backend: TestBackend) =>
        samples.filter(
          (s) =>
            s.name === "traceway_upstream_backend_up" &&
            s.labels["traceway_backend"] === `127.0.0.1:${backend.port}`,
        );
      assert.equal(upSeries(a).length, 1);
      assert.equal(upSeries(a)[0]!.value, 0);
      assert.equal(upSeries(b).length, 1);
      const downsOfA = instance
        .lines()
        .filter(
          (l) =>
            l.msg === "backend down" && l.pid === instance.primary && l["backend"] === `127.0.0.1:${a.port}`,
        ).length;
      assert.ok(downsOfA >= 1);
      assert.equal(
        total(samples, /^traceway_upstream_backend_transitions(_total)?$/, {
          traceway_backend: `127.0.0.1:${a.port}`,
          traceway_backend_state: "down",
        }),
        downsOfA,
      );
      const downAt = Date.parse(down["timestamp"] as string);
      const toA = instance.access().filter((l) => l["backend"] === `127.0.0.1:${a.port}`);
      for (const pid of instance.workers.values()) {
        const last = Math.max(
          ...toA.filter((l) => l.pid === pid).map((l) => Date.parse(l["timestamp"] as string)),
        );
        assert.ok(
          last <= downAt + INTERVAL_MS,
          `worker ${pid} sent to a ${last - downAt} ms after the verdict`,
        );
      }
      t.diagnostic(
        `last request to a per worker, ms after the verdict: ${[...instance.workers.values()]
          .map(
            (pid) =>
              Math.max(...toA.filter((l) => l.pid === pid).map((l) => Date.parse(l["timestamp"] as string))) -
              downAt,
          )
          .join(", ")}`,
      );
    } finally {
      running = false;
      await Promise.all(loops);
    }
  });
});
