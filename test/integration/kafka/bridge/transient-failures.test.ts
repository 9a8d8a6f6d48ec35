import assert from "node:assert/strict";
import { test } from "node:test";
import { seededRandom } from "../../../../src/shared/clock.ts";
import { KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeTopicLab,
  bridgeYaml,
  deliveries,
  missing,
  orderViolations,
  produceKeyed,
  RecordingBackend,
  startTraceway,
  type Traceway,
} from "./bridge-fixture.ts";

// Backends that fail 5% of requests at random (500): every message still arrives, in key order,
// and every failure shows as one retry.
const MESSAGES = 3000;
const random = seededRandom(13);
const failing = () => (random() < 0.05 ? 500 : 200);
const backends = ["a", "b"].map((name) => new RecordingBackend(name, failing));
let traceway: Traceway;

const lab = bridgeTopicLab({
  prefix: "bridge-transient",
  partitions: 3,
  backends,
  stopFirst: () => traceway?.stop(),
});

void test("5% of requests fail at random: all messages arrive in key order, each failure is one retry", async (t) => {
  const { kafka, topic } = lab;
  const started = performance.now();
  const produced = await produceKeyed(kafka, topic, MESSAGES, 40);
  traceway = await startTraceway(
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends,
      bridge: [
        "name: flaky",
        `topics: [${topic}]`,
        `groupId: ${topic}-bridge`,
        "upstream: api",
        "startFrom: earliest",
        "retry: { tries: 10, backoff: 5ms, maxBackoff: 50ms }",
      ].join("\n"),
    }),
  );
  await waitFor(() => missing(produced, backends).length === 0, {
    what: `all ${MESSAGES} messages accepted`,
    timeoutMs: 150_000,
    intervalMs: 250,
  });
  const failures = backends.flatMap((b) => b.received).filter((r) => r.status >= 500).length;
  const { delivered, duplicates } = deliveries(backends);
  const retried = await traceway.metric("traceway.messaging.kafka.bridge.retried", { "error.type": "500" });
  const dispatched = await traceway.metric("traceway.messaging.kafka.bridge.dispatched");
  t.diagnostic(
    `${delivered} accepted, ${failures} answered 500 (${((100 * failures) / (failures + delivered)).toFixed(1)}%), ${retried} retries counted, ${dispatched} dispatches, in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  assert.ok(failures > MESSAGES * 0.02, `the backends failed (${failures} times)`);
  assert.equal(retried, failures, "every 500 was retried, and counted once");
  assert.equal(dispatched, delivered + failures);
  assert.equal(duplicates, 0, "a 500 is not a delivery, so nothing was accepted twice");
  assert.deepEqual(orderViolations(produced, backends), []);
  assert.equal(await traceway.metric("traceway.messaging.kafka.bridge.dead_lettered"), 0);
});
