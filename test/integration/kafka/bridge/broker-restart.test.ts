import assert from "node:assert/strict";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { startPrivateKafka, type PrivateKafka } from "../../../helpers/private-kafka.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeYaml,
  committedAtEnd,
  createTopic,
  deliveries,
  missing,
  orderViolations,
  produceKeyed,
  RecordingBackend,
  startTraceway,
  testKafka,
  type Traceway,
} from "./bridge-fixture.ts";

// The Kafka broker (a private one: the shared broker is never restarted) stops and starts again
// while the bridge is busy: the bridge resumes on its own and nothing is lost. Most of the wait
// after the restart is the group coordinator's: the crashed member never left the group, so a
// rejoin waits out its session (kafkajs' sessionTimeout, 30 s).
const slow = async () => {
  await sleep(2);
  return 200;
};
const backends = ["a", "b"].map((name) => new RecordingBackend(name, slow));
let broker: PrivateKafka;
let kafka: Kafka;
let admin: Admin;
let topic: string;
let traceway: Traceway | undefined;

before(async () => {
  broker = await startPrivateKafka();
  kafka = testKafka(broker.broker);
  admin = kafka.admin();
  await admin.connect();
  topic = await createTopic(admin, "bridge-broker-restart", 3);
  for (const b of backends) await b.start();
});

after(async () => {
  await traceway?.stop();
  for (const b of backends) await b.kill();
  await admin.disconnect().catch(() => undefined);
  await broker.destroy();
});

void test("the broker restarts mid-run: the bridge resumes by itself and loses nothing", async (t) => {
  const first = await produceKeyed(kafka, topic, 2000, 40);
  const group = `${topic}-bridge`;
  traceway = await startTraceway(
    bridgeYaml({
      broker: broker.broker,
      backends,
      bridge: [
        "name: restart",
        `topics: [${topic}]`,
        `groupId: ${group}`,
        "upstream: api",
        "startFrom: earliest",
      ].join("\n"),
    }),
  );
  await waitFor(() => deliveries(backends).delivered >= 700, {
    what: "700 delivered",
    timeoutMs: 90_000,
    intervalMs: 20,
  });
  const stoppedAt = performance.now();
  await broker.stop();
  const atStop = deliveries(backends).delivered;
  await sleep(2000);
  await broker.start();
  t.diagnostic(
    `broker down for ${((performance.now() - stoppedAt) / 1000).toFixed(1)} s, ${atStop} delivered when it stopped`,
  );
  await admin.connect();
  const second = await produceKeyed(kafka, topic, 1000, 40, () => ({}), 2000);
  const produced = new Map([...first].map(([k, v]) => [k, [...v, ...(second.get(k) ?? [])]]));
  const resumedAt = performance.now();
  await waitFor(() => missing(produced, backends).length === 0, {
    what: "all 3000 messages delivered",
    timeoutMs: 150_000,
    intervalMs: 250,
  });
  await waitFor(() => committedAtEnd(admin, group, topic), { what: "commits at the end", timeoutMs: 60_000 });
  const { delivered, unique, duplicates } = deliveries(backends);
  t.diagnostic(
    `all delivered ${((performance.now() - resumedAt) / 1000).toFixed(1)} s after the broker was back: ${delivered} deliveries, ${unique} unique, ${duplicates} duplicates`,
  );
  assert.equal(unique, 3000);
  assert.deepEqual(orderViolations(produced, backends), []);
  assert.equal(await traceway.metric("traceway.messaging.kafka.bridge.dead_lettered"), 0);
});
