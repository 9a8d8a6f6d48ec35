import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import type { IncomingMessage } from "node:http";
import { startBalancer, type RunningBalancer } from "../../../src/server/balancer.ts";
import type { DispatchRequest } from "../../../src/proxy/upstream-dispatcher.ts";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testConfig, testUpstream, TRANSPORTS } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";

// In-process dispatches (the Kafka bridge's) go through an upstream exactly as client requests
// do: balancing, backend retries, the connection queue; whatever server.transport is configured.
const request = (overrides: Partial<DispatchRequest> = {}): DispatchRequest => ({
  method: "POST",
  path: "/events/orders",
  headers: { "content-type": "application/json", "x-kafka-key": "k1" },
  body: Buffer.from('{"id":1}'),
  identity: "k1",
  route: "kafka:orders",
  ...overrides,
});

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString()));
  });
}

for (const transport of TRANSPORTS)
  describe(`dispatch through an upstream (server.transport ${transport})`, () => {
    const cleanup: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of cleanup.reverse()) await c();
    });
    async function balancer(...args: Parameters<typeof testUpstream>): Promise<RunningBalancer> {
      const lb = await startBalancer({ config: testConfig([testUpstream(...args)], { transport }) });
      cleanup.push(() => lb.close());
      return lb;
    }
    async function backend(name: string, handler?: Parameters<typeof startBackend>[1]): Promise<TestBackend> {
      const b = await startBackend(name, handler);
      cleanup.push(() => b.kill());
      return b;
    }

    it("a backend that refuses the connection is skipped; the next gets the whole body and headers", async () => {
      const seen: { body: string; key: unknown; host: unknown }[] = [];
      const live = await backend("live", (req, res) => {
        void readBody(req).then((body) => {
          seen.push({ body, key: req.headers["x-kafka-key"], host: req.headers.host });
          res.writeHead(201).end();
        });
      });
      const lb = await balancer("api", [`http://127.0.0.1:${await closedPort()}`, live.url]);
      const results = [await lb.dispatch("api", request()), await lb.dispatch("api", request())];
      assert.deepEqual(
        results.map((r) => r.status),
        [201, 201],
      );
      assert.equal(results.find((r) => r.retries === 1)?.backend, live.url.slice("http://".length));
      assert.deepEqual(seen[0], { body: '{"id":1}', key: "k1", host: live.url.slice("http://".length) });
    });

    it("maxConnsPerBackend holds a dispatch in the queue until a slot frees", async () => {
      const waiting: (() => void)[] = [];
      const slow = await backend("slow", (req, res) => {
        req.resume();
        waiting.push(() => res.end("done"));
      });
      const lb = await balancer("api", [slow.url], {
        maxConnsPerBackend: 1,
        queue: { size: 5, timeoutMs: 10_000 },
      });
      const both = [lb.dispatch("api", request()), lb.dispatch("api", request())];
      await waitFor(() => waiting.length === 1, { what: "one dispatch at the backend" });
      assert.equal(lb.queues().get("api")?.length, 1, "the second waits in the queue");
      waiting.shift()!();
      await waitFor(() => waiting.length === 1, { what: "the queued dispatch at the backend" });
      waiting.shift()!();
      assert.deepEqual(
        (await Promise.all(both)).map((r) => r.status),
        [200, 200],
      );
    });

    it("a failed response comes back with the start of its body; no backend or no upstream is an error", async () => {
      const failing = await backend("failing", (req, res) => {
        req.resume();
        res.writeHead(503, { "retry-after": "2" }).end("x".repeat(5000));
      });
      const lb = await balancer("api", [failing.url]);
      const failed = await lb.dispatch("api", request());
      assert.equal(failed.status, 503);
      assert.equal(failed.headers["retry-after"], "2");
      assert.equal(failed.body.length, 1024);
      const unknown = await lb.dispatch("nope", request());
      assert.equal(unknown.error?.code, "TRACEWAY_ERR_NO_ROUTE");
      // Every backend failing its health check: the upstream has no candidate at all.
      const down = await balancer("api", [`http://127.0.0.1:${await closedPort()}`], {
        healthCheck: {
          ...testUpstream("x", []).healthCheck,
          enabled: true,
          intervalMs: 50,
          unhealthyThreshold: 1,
        },
      });
      const refused = await waitFor(
        async () => {
          const r = await down.dispatch("api", request());
          return r.error?.kind === "NO_HEALTHY_BACKEND" ? r : undefined;
        },
        { what: "the upstream without a healthy backend" },
      );
      assert.equal(refused.status, undefined);
    });

    it("an aborted dispatch ends at once, and a draining balancer takes no new one", async () => {
      const hanging = await backend("hanging", (req) => req.resume());
      const lb = await balancer("api", [hanging.url]);
      const controller = new AbortController();
      const pending = lb.dispatch("api", request(), controller.signal);
      await waitFor(() => hanging.requests.length === 1, { what: "the dispatch at the backend" });
      assert.equal(lb.activeRequests(), 1, "a dispatch counts as active traffic");
      controller.abort();
      const aborted = await pending;
      assert.equal(aborted.error?.code, "TRACEWAY_ERR_SHUTTING_DOWN");
      await lb.close();
      assert.equal((await lb.dispatch("api", request())).error?.code, "TRACEWAY_ERR_SHUTTING_DOWN");
    });
  });
