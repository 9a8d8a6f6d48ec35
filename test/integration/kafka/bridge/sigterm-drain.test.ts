import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { startCli } from "../../../helpers/cli-process.ts";
import { ensureServices, KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import { bridgeYaml, createTopic, produceKeyed, RecordingBackend, testKafka } from "./bridge-fixture.ts";

// SIGTERM: fetching stops, running dispatches may finish until server.shutdownTimeout, the rest
// are abandoned, and what finished is committed before the process exits.
let kafka: Kafka;
let admin: Admin;
let dir: string;
const topics: string[] = [];

before(async () => {
  await ensureServices("kafka");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  dir = await mkdtemp(join(tmpdir(), "traceway-sigterm-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
});

/** Runs traceway on a 1-partition topic of 20 messages whose backend takes `serviceMs` per message; SIGTERM once 4 are in flight. */
async function drainRun(serviceMs: number, shutdownTimeout: string) {
  const topic = await createTopic(admin, "bridge-sigterm", 1);
  topics.push(topic);
  const arrived: number[] = [];
  const backend = await new RecordingBackend("slow", async (m) => {
    arrived.push(m.offset);
    await sleep(serviceMs);
    return 200;
  }).start();
  await produceKeyed(kafka, topic, 20, 20);
  const file = join(dir, `${topic}.yaml`);
  const group = `${topic}-bridge`;
  await writeFile(
    file,
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends: [backend],
      server: `, shutdownTimeout: ${shutdownTimeout}`,
      bridge: [
        "name: drain",
        `topics: [${topic}]`,
        `groupId: ${group}`,
        "upstream: api",
        "ordering: none",
        "concurrency: 4",
        "startFrom: earliest",
      ].join("\n"),
    }),
  );
  const cli = startCli(["--config", file]);
  await waitFor(() => arrived.length === 4, {
    what: "4 dispatches in flight",
    timeoutMs: 60_000,
    intervalMs: 20,
  });
  const signalledAt = performance.now();
  cli.child.kill("SIGTERM");
  const code = await cli.exited;
  const exitSeconds = (performance.now() - signalledAt) / 1000;
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  await backend.kill();
  return {
    code,
    exitSeconds,
    arrived: [...arrived],
    answered: backend.received.map((r) => r.offset),
    committed: Number(offsets?.partitions[0]?.offset),
    output: cli.stdout(),
  };
}

void test("SIGTERM with time to spare: in-flight dispatches finish and are committed, nothing new starts", async (t) => {
  const run = await drainRun(1500, "10s");
  t.diagnostic(
    `exit ${run.code} after ${run.exitSeconds.toFixed(1)} s; arrived ${run.arrived.join(",")}; committed ${run.committed}`,
  );
  assert.equal(run.code, 0);
  assert.deepEqual(run.arrived, [0, 1, 2, 3], "no dispatch started after SIGTERM");
  assert.deepEqual([...run.answered].sort(), [0, 1, 2, 3]);
  assert.equal(run.committed, 4, "the four that finished are committed");
  assert.match(run.output, /"abandoned":false/);
});

void test("SIGTERM with too little time: in-flight dispatches are abandoned at the deadline and not committed", async (t) => {
  const run = await drainRun(20_000, "1s");
  t.diagnostic(`exit ${run.code} after ${run.exitSeconds.toFixed(1)} s; committed ${run.committed}`);
  assert.equal(run.code, 0);
  assert.ok(
    run.exitSeconds < 15,
    `exited ${run.exitSeconds} s after SIGTERM, not after the 20 s service time`,
  );
  assert.ok(run.committed <= 0, `nothing finished, so nothing is committed (got ${run.committed})`);
  assert.match(run.output, /"abandoned":true/);
});
