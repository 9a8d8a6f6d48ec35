import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { testUpstream } from "../../helpers/test-config.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { load, startObservedBalancer, type ObservedBalancer } from "./balancer-fixture.ts";

const REQUESTS = 5000;
/** Each request makes a SERVER and a CLIENT span. */
const SPANS = 2 * REQUESTS;
const MAX_QUEUE = 256;

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Sum of the series of `name` in a Prometheus text page, by the value of `label` ("" when absent or not asked). */
function sumBy(text: string, name: string, label: string): Map<string, number> {
  const sums = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const key = label === "" ? "" : (new RegExp(`${label}="([^"]*)"`).exec(line)?.[1] ?? "");
    sums.set(key, (sums.get(key) ?? 0) + Number(line.slice(line.lastIndexOf(" ") + 1)));
  }
  return sums;
}

describe("OTLP exporter down", () => {
  let backend: TestBackend;
  let lb: ObservedBalancer;
  before(async () => {
    backend = await startBackend("b");
    const port = await closedPort();
    lb = await startObservedBalancer([testUpstream("api", [backend.url])], {
      traces: { enabled: true, otlpEndpoint: `http://127.0.0.1:${port}`, sampleRatio: 1 },
      telemetryOptions: { maxQueueSize: MAX_QUEUE, scheduledDelayMillis: 100 },
    });
  });
  after(async () => {
    await lb.close();
    await backend.kill();
  });

  it(`serves ${REQUESTS} requests and drops spans beyond the ${MAX_QUEUE}-span queue instead of growing`, async () => {
    const heapBefore = heapAfterGc();
    const statuses = await load((i) => `${lb.balancer.url}/p/${i}`, REQUESTS, 16);
    assert.deepEqual([...statuses], [[200, REQUESTS]]);
    const heapGrowth = heapAfterGc() - heapBefore;

    const scrape = async (): Promise<string> => (await fetch(lb.telemetry.metricsUrl!)).text();
    // Every span ends up accounted for by the batch processor: dropped (queue_full), failed export, or queued.
    const text = await waitFor(
      async () => {
        const page = await scrape();
        const processed = sumBy(page, "otel_sdk_processor_span_processed_total", "error_type");
        const queued = sumBy(page, "otel_sdk_processor_span_queue_size", "").get("") ?? 0;
        const total = [...processed.values()].reduce((a, b) => a + b, 0) + queued;
        return total === SPANS ? page : undefined;
      },
      { what: `all ${SPANS} spans accounted for by the span processor`, timeoutMs: 60_000, intervalMs: 250 },
    );
    const processed = sumBy(text, "otel_sdk_processor_span_processed_total", "error_type");
    const dropped = processed.get("queue_full") ?? 0;
    const exported = processed.get("") ?? 0;
    assert.equal(exported, 0, "nothing reached the closed port");
    assert.ok(dropped > 0, `queue_full drops: ${dropped}`);
    assert.equal(sumBy(text, "otel_sdk_processor_span_queue_capacity", "").get(""), MAX_QUEUE);
    assert.ok(
      (sumBy(text, "otel_sdk_processor_span_queue_size", "").get("") ?? 0) <= MAX_QUEUE,
      "the queue never holds more than its capacity",
    );
    // A sanity bound only (measured ~10 MiB with the queue at 256): the proof of boundedness is the
    // accounting above, since failed exports also release spans and heap size is noisy.
    assert.ok(heapGrowth < 32 * 1024 * 1024, `heap grew by ${(heapGrowth / 1048576).toFixed(1)} MiB`);
  });
});
