import assert from "node:assert/strict";
import { Agent, request } from "node:http";
import { after, before, describe, it } from "node:test";
import { startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { startObservedBalancer, type ObservedBalancer } from "./balancer-fixture.ts";

const REQUESTS = 20;
const BACKEND_DELAY_S = 0.2;

/** One GET over `agent`; resolves the seconds from sending it to the end of its body. */
function timedGet(url: string, agent: Agent): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    request(url, { agent }, (res) => {
      res.resume();
      res.once("end", () => resolve((performance.now() - started) / 1000));
      res.once("error", reject);
    })
      .once("error", reject)
      .end();
  });
}

/**
 * The histogram is checked against what the client measured for the same requests, not against
 * a guess of how fast the machine is: every upstream attempt starts after its client request and
 * ends before it, so each attempt lasts at least the backend's delay and at most its request. A
 * histogram in the wrong unit, or putting attempts in the wrong bucket, breaks these bounds on an
 * idle machine and a loaded one alike.
 */
describe("Latency histogram through Prometheus", () => {
  let slow: TestBackend;
  let lb: ObservedBalancer;
  before(async () => {
    slow = await startBackend("slow", (req, res) => {
      req.resume();
      // The backend's own behaviour under test: it answers after 200 ms.
      setTimeout(() => res.end("slow"), BACKEND_DELAY_S * 1000);
    });
    lb = await startObservedBalancer([testUpstream("api", [slow.url])]);
  });
  after(async () => {
    await lb.close();
    await slow.kill();
  });

  it("puts each attempt in a bucket between the backend's delay and the client's own measurement", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    let next = 0;
    const client: number[] = [];
    const worker = async (): Promise<void> => {
      while (next < REQUESTS) client.push(await timedGet(`${lb.balancer.url}/x/${next++}`, agent));
    };
    try {
      await Promise.all(Array.from({ length: 4 }, worker));
    } finally {
      agent.destroy();
    }
    const backend = `127.0.0.1:${slow.port}`;
    const selector = `job=$JOB, traceway_backend="${backend}"`;
    await lb.until(
      `sum(http_client_request_duration_seconds_count{${selector}})`,
      (r) => r[0]?.value === REQUESTS,
      "all attempts scraped",
    );
    const buckets = await lb.query(`sum by (le)(http_client_request_duration_seconds_bucket{${selector}})`);
    const [sum] = await lb.query(`sum(http_client_request_duration_seconds_sum{${selector}})`);
    assert.ok(sum !== undefined);
    // The backend's timer may fire a millisecond early by the process's monotonic clock.
    const floor = REQUESTS * (BACKEND_DELAY_S - 0.002);
    const ceiling = client.reduce((a, b) => a + b, 0);
    assert.ok(
      sum.value >= floor && sum.value <= ceiling,
      `sum ${sum.value} s, within [${floor}, ${ceiling}]`,
    );

    assert.ok(buckets.length > 2, "the histogram has buckets");
    for (const { metric, value } of buckets) {
      const le = Number(metric["le"]);
      const mustHold = client.filter((seconds) => seconds <= le).length;
      const mayHold = le < BACKEND_DELAY_S - 0.002 ? 0 : REQUESTS;
      assert.ok(
        value >= mustHold && value <= mayHold,
        `le=${metric["le"]} holds ${value}; the client saw ${mustHold} requests end by then`,
      );
    }
    const at = new Map(buckets.map((s) => [s.metric["le"], s.value]));
    assert.equal(at.get("0.1"), 0, "no attempt faster than 100 ms");
    assert.equal(at.get("+Inf"), REQUESTS);
  });
});
