import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { after, before, describe, it } from "node:test";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { serverSideOwners } from "./connections.ts";
import { scrape, startInstance, total, type Instance } from "./instance.ts";

const KEEP_ALIVE_CLIENTS = 12;
const FRESH_LOOPS = 2;
/** Bounds on every load loop. */
const MAX_REQUESTS_PER_LOOP = 20_000;
const LOAD_DEADLINE_MS = 60_000;
const SERVER_COUNT = /^http_server_request_duration(_seconds)?_count$/;

interface Outcome {
  readonly ok: boolean;
  /** The client side's port of the connection the request went out on (undefined: never connected). */
  readonly port: number | undefined;
  readonly startedAt: number;
  readonly error?: string;
}

/** One GET over `agent`; never rejects. */
function attempt(url: string, agent: Agent | false): Promise<Outcome> {
  const startedAt = performance.now();
  return new Promise((resolve) => {
    // Read when the socket is assigned or connects: once a reset has destroyed it, it has no port.
    let port: number | undefined;
    const req = request(url, { agent }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ok: res.statusCode === 200, port, startedAt }));
      res.on("error", (err) => resolve({ ok: false, port, startedAt, error: err.message }));
    });
    req.on("socket", (socket) => {
      port = socket.localPort;
      if (port === undefined) socket.once("connect", () => (port = socket.localPort));
    });
    req.on("error", (err: NodeJS.ErrnoException) =>
      resolve({ ok: false, port, startedAt, error: err.code ?? err.message }),
    );
    req.end();
  });
}

/** A bounded load loop: until `running()` is false, or its count or time bound is reached. */
async function loop(
  url: string,
  agent: Agent | false,
  running: () => boolean,
  into: Outcome[],
): Promise<void> {
  const deadline = performance.now() + LOAD_DEADLINE_MS;
  for (let i = 0; i < MAX_REQUESTS_PER_LOOP && running() && performance.now() < deadline; i++)
    into.push(await attempt(url, agent));
}

describe("a worker killed under load is replaced, and the other worker's requests do not fail", () => {
  let backends: TestBackend[];
  let instance: Instance;
  let metricsUrl: string;
  before(async () => {
    backends = await Promise.all(["a", "b"].map((n) => startBackend(n)));
    const metricsPort = await closedPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        `upstreams: { api: { backends: [${backends.map((b) => `{ url: "${b.url}" }`).join(", ")}] } }`,
        `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
        "logging: { level: info, accessLog: false }",
      ].join("\n"),
    );
  });
  after(async () => {
    await instance.stop();
    await Promise.all(backends.map((b) => b.kill()));
  });

  it("SIGKILL one worker: failures only on its own connections, at most one each; none after its exit; the replacement serves", async (t) => {
    const url = `${instance.url}/x`;
    const port = Number(new URL(instance.url).port);
    const [victim, survivor] = [...instance.workers.values()] as [number, number];
    let running = true;
    const keptAlive = Array.from(
      { length: KEEP_ALIVE_CLIENTS },
      () => new Agent({ keepAlive: true, maxSockets: 1 }),
    );
    const kept: Outcome[][] = keptAlive.map(() => []);
    const fresh: Outcome[] = [];
    const loops = [
      ...keptAlive.map((agent, i) => loop(url, agent, () => running, kept[i]!)),
      ...Array.from({ length: FRESH_LOOPS }, () => loop(url, false, () => running, fresh)),
    ];
    try {
      // Every kept-alive client has its connection, and both workers hold some of them.
      const owners = await waitFor(
        () => {
          if (kept.some((o) => o.length === 0)) return undefined;
          const map = serverSideOwners([victim, survivor], port);
          const ports = kept.map((o) => o.at(-1)?.port);
          const on = new Set(ports.map((p) => (p === undefined ? undefined : map.get(p))));
          return on.has(victim) && on.has(survivor) ? map : undefined;
        },
        { what: "kept-alive connections on both workers" },
      );
      const before = total(await scrape(metricsUrl), SERVER_COUNT);
      const mark = instance.lines().length;
      process.kill(victim, "SIGKILL");
      const exit = await instance.waitForLine(
        (l) => l.msg.startsWith("worker exited unexpectedly"),
        "the primary to see the worker exit",
        mark,
      );
      const exitSeenAt = performance.now();
      assert.equal(exit["signal"], "SIGKILL");
      const replaced = await instance.waitForLine(
        (l) => l.msg === "worker replaced",
        "a replacement worker",
        mark,
      );
      const replacement = replaced["worker_pid"] as number;

      // New kept-alive clients reach the replacement too, and it serves them.
      const late = Array.from({ length: 16 }, () => new Agent({ keepAlive: true, maxSockets: 1 }));
      const lateOutcomes = await Promise.all(late.map((agent) => attempt(url, agent)));
      const lateOwners = serverSideOwners([survivor, replacement], port);
      const onReplacement = lateOutcomes.filter(
        (o) => o.port !== undefined && lateOwners.get(o.port) === replacement,
      );
      for (const agent of late) agent.destroy();
      running = false;
      await Promise.all(loops);
      assert.deepEqual(
        lateOutcomes.filter((o) => !o.ok),
        [],
        "requests to the replacement and the survivor",
      );
      assert.ok(onReplacement.length > 0, "some new connections land on the replacement");

      // Kept-alive connections: on the survivor nothing fails; on the killed worker at most the one
      // request in flight (or written to the dead socket before its close arrived) fails, then the
      // client connects again and is served.
      const victimPorts = new Set([...owners].filter(([, pid]) => pid === victim).map(([p]) => p));
      const survivorPorts = new Set([...owners].filter(([, pid]) => pid === survivor).map(([p]) => p));
      let victimFailures = 0;
      for (const outcomes of kept) {
        const failed = outcomes.filter((o) => !o.ok);
        for (const f of failed) {
          // On one of the killed worker's connections, or on a connection opened around the kill
          // (the kernel may have queued it on the dead worker's listening socket); never on one
          // the survivor held.
          assert.ok(
            f.port === undefined ? f.startedAt < exitSeenAt : !survivorPorts.has(f.port),
            `a failure on the surviving worker: ${JSON.stringify(f)}`,
          );
          assert.ok(
            f.port === undefined || victimPorts.has(f.port) || f.startedAt < exitSeenAt,
            `a failure off the killed worker: ${JSON.stringify(f)}`,
          );
          assert.ok(
            f.startedAt < exitSeenAt,
            `a kept-alive failure after the exit was seen: ${JSON.stringify(f)}`,
          );
        }
        assert.ok(failed.length <= 1, `one connection failed ${failed.length} times`);
        assert.ok(outcomes.at(-1)?.ok, "every kept-alive client is served again");
        victimFailures += failed.length;
      }
      // Fresh connections: only those in flight at the kill (or queued on its listening socket) fail.
      const freshFailures = fresh.filter((o) => !o.ok);
      assert.ok(
        freshFailures.length <= FRESH_LOOPS,
        `fresh connections failed: ${JSON.stringify(freshFailures)}`,
      );
      assert.deepEqual(
        freshFailures.filter((o) => o.startedAt >= exitSeenAt),
        [],
      );

      // Counters never fall: what the killed worker counted up to the last scrape stays counted.
      const afterKill = total(await scrape(metricsUrl), SERVER_COUNT);
      assert.ok(afterKill >= before, `server count ${before} → ${afterKill}`);
      const served = kept.reduce((n, o) => n + o.length, 0) + fresh.length;
      t.diagnostic(
        `${served} requests; kept-alive connections on the killed worker: ${victimPorts.size} of ${KEEP_ALIVE_CLIENTS}, ` +
          `failures: kept-alive ${victimFailures}, fresh ${freshFailures.length} (${freshFailures.map((f) => f.error).join(", ")}); ` +
          `replacement ${replacement} took ${onReplacement.length} of 16 new connections; scrape ${before} → ${afterKill}`,
      );
    } finally {
      running = false;
      await Promise.all(loops);
      for (const agent of keptAlive) agent.destroy();
    }
  });
});
