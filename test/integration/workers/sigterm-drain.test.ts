import assert from "node:assert/strict";
import type { ServerResponse } from "node:http";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { clientSideOwner } from "./connections.ts";
import { get, startInstance, type Instance } from "./instance.ts";

const IN_FLIGHT = 16;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("SIGTERM drains every worker", () => {
  let backend: TestBackend;
  let instance: Instance;
  /** Responses held until the test lets them go, with the worker each request came from. */
  const held: { res: ServerResponse; worker: number | undefined }[] = [];
  before(async () => {
    backend = await startBackend("slow", (req, res) => {
      req.resume();
      const pids = [...instance.workers.values()];
      held.push({ res, worker: clientSideOwner(pids, req.socket.remotePort!, backend.port) });
    });
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        `upstreams: { api: { backends: [{ url: "${backend.url}" }], timeouts: { response: 30s } } }`,
        "telemetry: { prometheus: { enabled: false } }",
        "logging: { level: info, accessLog: true }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance.stop();
    await backend.kill();
  });

  it(`${IN_FLIGHT} requests in flight on both workers all finish; the primary exits after them`, async (t) => {
    const requests = Array.from({ length: IN_FLIGHT }, () => get(`${instance.url}/slow`, false));
    await waitFor(() => held.length === IN_FLIGHT, { what: `${IN_FLIGHT} requests at the backend` });
    const perWorker = new Map<number | undefined, number>();
    for (const h of held) perWorker.set(h.worker, (perWorker.get(h.worker) ?? 0) + 1);
    assert.deepEqual(
      [...perWorker.keys()].sort(),
      [...instance.workers.values()].sort(),
      "both workers hold some",
    );

    const mark = instance.lines().length;
    instance.cli.child.kill("SIGTERM");
    await waitFor(
      () =>
        new Set(
          instance
            .lines()
            .slice(mark)
            .filter((l) => l.msg === "shutting down: draining in-flight requests")
            .map((l) => l.pid),
        ).size === 2,
      { what: "both workers draining" },
    );
    await assert.rejects(
      get(`${instance.url}/late`, false),
      { code: "ECONNREFUSED" },
      "new connections are refused",
    );
    assert.ok(
      alive(instance.primary) && [...instance.workers.values()].every(alive),
      "all wait for the in-flight",
    );

    for (const h of held) h.res.writeHead(200).end("done");
    const answers = await Promise.all(requests);
    assert.deepEqual(
      answers,
      Array.from({ length: IN_FLIGHT }, () => ({ status: 200, body: "done" })),
    );
    assert.equal(await instance.cli.exited, 0);
    assert.ok(![...instance.workers.values()].some(alive), "no worker outlives the primary");
    assert.equal(instance.access().length, IN_FLIGHT);
    t.diagnostic(`in flight per worker at SIGTERM: ${JSON.stringify(Object.fromEntries(perWorker))}`);
  });
});
