import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { ensureServices, ETCD_ENDPOINT } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import {
  BUILD_TIMEOUT_MS,
  ginServiceBinary,
  startGinService,
  uniqueNames,
  type GinService,
} from "../examples/example-processes.ts";
import { startDiscoveringBalancer, startLoad, type DiscoveringBalancer } from "./balancer-harness.ts";

// The two numbers issue 10 asks for, with Gin's default lease TTL (10 s): how long after a Gin
// instance registers does traceway send it its first request, and how long after a SIGKILL does the
// instance leave the pool. Three samples each, printed; bounds asserted.
const SAMPLES = 3;
const TTL_S = 10;
const { prefix } = uniqueNames("discovery-measure");
let lb: DiscoveringBalancer;
const gins: GinService[] = [];

before(
  async () => {
    await ensureServices("etcd");
    await ginServiceBinary();
    lb = await startDiscoveringBalancer({
      etcd: ETCD_ENDPOINT,
      prefix,
      upstream: "    strategy: round_robin",
    });
    // A first instance that stays, so the pool is never empty while the others come and go.
    gins.push(await startGinService(["--etcd", ETCD_ENDPOINT, "--prefix", prefix, "--kafka", ""]));
    await waitFor(() => lb.members().length === 1, { what: "the first instance in the pool" });
  },
  { timeout: BUILD_TIMEOUT_MS },
);

after(async () => {
  await Promise.all(gins.map((g) => g.stop()));
  await lb?.stop();
});

const summary = (ms: number[]): string => {
  const sorted = [...ms].sort((a, b) => a - b);
  return `${sorted.join(", ")} ms (median ${sorted[Math.floor(sorted.length / 2)]} ms)`;
};

void test("measure: registration → first routed request, and SIGKILL → out of the pool", async (t) => {
  const trickle = startLoad(`${lb.url}/api/items?limit=1`, {
    concurrency: 1,
    maxRequests: 200_000,
    maxMs: 120_000,
  });
  const toFirstRequest: number[] = [];
  const samples: GinService[] = [];
  try {
    for (let i = 0; i < SAMPLES; i++) {
      const gin = await startGinService([
        "--etcd",
        ETCD_ENDPOINT,
        "--prefix",
        prefix,
        "--ttl",
        `${TTL_S}s`,
        "--kafka",
        "",
      ]);
      gins.push(gin);
      samples.push(gin);
      const registeredAt = Date.parse(String((await gin.waitForLine("registered in etcd")).timestamp));
      const first = await waitFor(
        () => gin.lines.find((l) => l.msg === "request" && l.route === "/api/items"),
        {
          what: `the first request to ${gin.advertise}`,
          timeoutMs: 10_000,
          intervalMs: 10,
        },
      );
      toFirstRequest.push(Date.parse(String(first.timestamp)) - registeredAt);
    }

    // One at a time, each once health has marked the previous one down: three backends dying in
    // the same instant could take all three tries of a request (the retry budget, as in nginx).
    const killed: Array<{ gin: GinService; at: number }> = [];
    for (const gin of samples) {
      const at = Date.now();
      gin.child.kill("SIGKILL");
      killed.push({ gin, at });
      await waitFor(() => lb.membership.some((m) => m.backend === gin.advertise && m.change === "down"), {
        what: `${gin.advertise} to be marked down`,
      });
    }
    const toOut = await Promise.all(
      killed.map(async ({ gin, at }) => {
        const removed = await waitFor(
          () => lb.membership.find((m) => m.backend === gin.advertise && m.change === "removed"),
          { what: `${gin.advertise} to leave the pool`, timeoutMs: (TTL_S + 10) * 1000, intervalMs: 50 },
        );
        return removed.at - at;
      }),
    );
    t.diagnostic(`MEASURE registration → first routed request: ${summary(toFirstRequest)}`);
    t.diagnostic(`MEASURE SIGKILL → out of the pool (lease TTL ${TTL_S} s): ${summary(toOut)}`);
    for (const ms of toFirstRequest) assert.ok(ms < 1000, `first request ${ms} ms after registration`);
    for (const ms of toOut) assert.ok(ms <= (TTL_S + 2) * 1000, `left the pool ${ms} ms after SIGKILL`);
  } finally {
    const result = await trickle.stop();
    assert.deepEqual(result.failures, []);
  }
});
