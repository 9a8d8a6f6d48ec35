import assert from "node:assert/strict";
import { test } from "node:test";
import { KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeTopicLab,
  bridgeYaml,
  committedAtEnd,
  deliveries,
  missing,
  orderViolations,
  produceKeyed,
  RecordingBackend,
  startTraceway,
  type Traceway,
} from "./bridge-fixture.ts";

// 10,000 keyed messages over 3 partitions, through traceway to three backends, nothing failing:
// each arrives once, and each key's messages arrive in the order they were produced.
const MESSAGES = 10_000;
const KEYS = 50;
const backends = ["a", "b", "c"].map((name) => new RecordingBackend(name));
let traceway: Traceway;

const lab = bridgeTopicLab({
  prefix: "bridge-order",
  partitions: 3,
  backends,
  stopFirst: () => traceway?.stop(),
});

void test("10,000 keyed messages: all delivered once, per-key order kept, commits at the end", async (t) => {
  const { kafka, admin, topic } = lab;
  let mark = performance.now();
  const lap = (): string => {
    const now = performance.now();
    const seconds = ((now - mark) / 1000).toFixed(1);
    mark = now;
    return `${seconds} s`;
  };
  const produced = await produceKeyed(kafka, topic, MESSAGES, KEYS);
  const produceTime = lap();
  const group = `${topic}-bridge`;
  traceway = await startTraceway(
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends,
      bridge: [
        "name: orders",
        `topics: [${topic}]`,
        `groupId: ${group}`,
        "upstream: api",
        "path: /events/{topic}",
        "ordering: key",
        "concurrency: 16",
        "startFrom: earliest",
      ].join("\n"),
    }),
  );
  await waitFor(() => deliveries(backends).delivered > 0, { what: "a first delivery", timeoutMs: 60_000 });
  const joinTime = lap();
  await waitFor(() => deliveries(backends).delivered >= MESSAGES, {
    what: `${MESSAGES} deliveries`,
    timeoutMs: 150_000,
    intervalMs: 200,
  });
  const deliverTime = lap();
  const { delivered, unique, duplicates } = deliveries(backends);
  t.diagnostic(
    `produced in ${produceTime}, first delivery after ${joinTime}, all ${delivered} delivered ${deliverTime} later (${unique} unique, ${duplicates} duplicates); per backend ${backends.map((b) => b.received.length).join("/")}`,
  );
  assert.deepEqual(missing(produced, backends), []);
  assert.equal(duplicates, 0, "nothing failed, so nothing was delivered twice");
  assert.deepEqual(orderViolations(produced, backends), []);
  assert.ok(
    backends.every((b) => b.received.length > 0),
    "every backend took a share",
  );

  // Commits reach the log end once everything is done.
  await waitFor(() => committedAtEnd(admin, group, topic), {
    what: "commits at the log end",
    timeoutMs: 30_000,
    intervalMs: 250,
  });
  t.diagnostic(`commits at the log end ${lap()} after the last delivery`);
  const dispatched = await traceway.metric("traceway.messaging.kafka.bridge.dispatched", {
    "traceway.kafka.bridge": "orders",
  });
  const succeeded = await traceway.metric("traceway.messaging.kafka.bridge.succeeded", {
    "traceway.kafka.bridge": "orders",
  });
  const retried = await traceway.metric("traceway.messaging.kafka.bridge.retried");
  const inFlight = await traceway.metric("traceway.messaging.kafka.bridge.in_flight");
  t.diagnostic(
    `metrics: dispatched ${dispatched}, succeeded ${succeeded}, retried ${retried}, in flight ${inFlight}`,
  );
  assert.equal(dispatched, MESSAGES);
  assert.equal(succeeded, MESSAGES);
  assert.equal(retried, 0);
  assert.equal(inFlight, 0);
});
