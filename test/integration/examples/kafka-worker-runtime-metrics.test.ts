import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { ensureServices, KAFKA_BROKER } from "../../helpers/services.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { startWorker, uniqueNames } from "./example-processes.ts";
import type { ExampleProcess } from "./example-processes.ts";

// The worker serves its Node runtime from OpenTelemetry's instrumentations, under the names the
// runtime dashboard and the GC alert read: event-loop delay, V8 GC pauses as a histogram with a 2 s
// bucket edge (the seed's "a single pause > 2 s"), V8 heap, process CPU and memory.
const { topic } = uniqueNames("worker-runtime");
const group = `${topic}-group`;
let worker: ExampleProcess & { metricsUrl: string };

before(async () => {
  await ensureServices("kafka");
  worker = await startWorker(["--brokers", KAFKA_BROKER, "--topic", topic, "--group", group]);
});

after(async () => {
  await worker?.stop();
  const kafka = new Kafka({
    clientId: "kafka-worker-runtime-test",
    brokers: [KAFKA_BROKER],
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.deleteGroups([group]).catch(() => undefined);
  await admin.disconnect();
});

const WANTED = [
  /^nodejs_eventloop_delay_p99_seconds(\{[^}]*\})? [0-9.e+-]+$/m,
  /^nodejs_eventloop_utilization_ratio(\{[^}]*\})? [0-9.e+-]+$/m,
  /^v8js_gc_duration_seconds_bucket\{[^}]*v8js_gc_type="[a-z]+"[^}]*le="2"[^}]*\} \d+/m,
  /^v8js_memory_heap_used_bytes\{[^}]*\} \d+/m,
  /^process_cpu_time_seconds_total\{[^}]*\} [0-9.e+-]+$/m,
  /^process_memory_usage(\{[^}]*\})? \d+/m,
];

void test("the worker's /metrics has the Node runtime series the runtime dashboard and the GC alert read", async () => {
  let text = "";
  // The GC histogram appears with the first collection, the event-loop gauges once 5 samples (10 ms
  // apart) have been taken since the previous scrape.
  await waitFor(
    async () => {
      text = await (await fetch(worker.metricsUrl)).text();
      return WANTED.every((re) => re.test(text));
    },
    { what: "every Node runtime series on the worker's /metrics", timeoutMs: 60_000, intervalMs: 1000 },
  ).catch((error: Error) => {
    const missing = WANTED.filter((re) => !re.test(text)).map(String);
    throw new Error(`${error.message}; missing: ${missing.join(", ")}`);
  });
  const count = /^v8js_gc_duration_seconds_count\{[^}]*\} (\d+)/m.exec(text);
  assert.ok(Number(count?.[1]) > 0, "at least one GC pause counted");
});
