import assert from "node:assert/strict";
import { test } from "node:test";
import { Partitioners } from "kafkajs";
import { DEAD_LETTER_HEADERS } from "../../../../src/kafka/bridge/dead-letters.ts";
import { KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeTopicLab,
  bridgeYaml,
  committedAtEnd,
  readTopic,
  RecordingBackend,
  startTraceway,
  type Traceway,
} from "./bridge-fixture.ts";

// A message the service always answers 500 goes to the dead-letter topic after its last try, with
// its provenance in headers. Meanwhile other keys of its partition go on; its own key waits.
const TRIES = 4;
// The poison's first try is answered only once every later message of another key in its
// partition has arrived: held up behind the poison, they never would (the wait gives up at 60 s).
let firstTry = true;
const backend = new RecordingBackend("a", async (m) => {
  if (m.body !== "poison:0") return 200;
  if (firstTry) {
    firstTry = false;
    await waitFor(() => others().length === OTHERS, {
      what: "the messages of other keys",
      timeoutMs: 60_000,
    }).catch(() => undefined);
  }
  return 500;
});
const OTHERS = 300;
function others() {
  return backend.received.filter((r) => r.key !== "poison");
}
let traceway: Traceway;

const lab = bridgeTopicLab({
  prefix: "bridge-poison",
  partitions: 3,
  backends: [backend],
  dlq: true,
  stopFirst: () => traceway?.stop(),
});

void test("a poison message is dead-lettered with every header; other keys are not held up, its own key waits", async (t) => {
  const { kafka, admin, topic, dlq } = lab;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  // In one partition: the poison first, then 300 messages on 30 other keys, then two more of its key.
  const messages = [
    { key: "poison", value: "poison:0", headers: { origin: "test", trace: Buffer.from([0xff]) } },
    ...Array.from({ length: OTHERS }, (_, i) => ({ key: `k${i % 30}`, value: `k${i % 30}:${i}` })),
    { key: "poison", value: "poison:1" },
    { key: "poison", value: "poison:2" },
  ].map((m) => ({ ...m, partition: 1 }));
  await producer.send({ topic, messages, acks: -1 });
  await producer.disconnect();

  const started = performance.now();
  traceway = await startTraceway(
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends: [backend],
      bridge: [
        "name: poison",
        `topics: [${topic}]`,
        `groupId: ${topic}-bridge`,
        "upstream: api",
        "startFrom: earliest",
        `retry: { tries: ${TRIES}, backoff: 300ms, maxBackoff: 2s }`,
        `deadLetterTopic: ${dlq}`,
      ].join("\n"),
    }),
  );
  const [letter] = await readTopic(kafka, dlq, 1, 90_000);
  await waitFor(() => backend.received.filter((r) => r.status === 200).length === OTHERS + 2, {
    what: "every other message delivered",
    timeoutMs: 60_000,
  });
  await waitFor(() => committedAtEnd(admin, `${topic}-bridge`, topic), { what: "commits past the poison" });
  t.diagnostic(`dead-lettered and committed past in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const tries = backend.received.filter((r) => r.body === "poison:0");
  assert.equal(tries.length, TRIES);
  const poison = tries[0]!;
  assert.ok(letter, "one dead letter");
  const headers = Object.fromEntries(
    Object.entries(letter.headers ?? {}).map(([k, v]) => [k, v?.toString()]),
  );
  t.diagnostic(`dead letter headers: ${JSON.stringify(headers)}`);
  assert.equal(letter.key?.toString(), "poison");
  assert.equal(letter.value?.toString(), "poison:0");
  assert.deepEqual(letter.headers?.trace, Buffer.from([0xff]), "the message's own headers, bytes intact");
  assert.equal(headers.origin, "test");
  assert.equal(headers[DEAD_LETTER_HEADERS.topic], topic);
  assert.equal(headers[DEAD_LETTER_HEADERS.partition], String(poison.partition));
  assert.equal(headers[DEAD_LETTER_HEADERS.offset], String(poison.offset));
  assert.match(headers[DEAD_LETTER_HEADERS.timestamp] ?? "", /^\d{13}$/);
  assert.equal(headers[DEAD_LETTER_HEADERS.group], `${topic}-bridge`);
  assert.equal(headers[DEAD_LETTER_HEADERS.bridge], "poison");
  assert.equal(headers[DEAD_LETTER_HEADERS.errorType], "500");
  assert.equal(headers[DEAD_LETTER_HEADERS.error], `HTTP 500: failed ${poison.offset}`);
  assert.equal(headers[DEAD_LETTER_HEADERS.attempts], String(TRIES));

  // Not held up: every message of another key arrived while the poison's first try was pending.
  assert.equal(poison.partition, 1);
  const secondTry = tries[1]!.seq;
  assert.deepEqual(
    others()
      .filter((r) => r.seq > secondTry)
      .map((r) => r.body),
    [],
  );
  const lastTry = tries.at(-1)!.seq;
  // Its own key waited, and kept its order.
  const sameKey = backend.received.filter((r) => r.key === "poison" && r.body !== "poison:0");
  assert.deepEqual(
    sameKey.map((r) => r.body),
    ["poison:1", "poison:2"],
  );
  assert.ok(sameKey.every((r) => r.seq > lastTry));
  assert.equal(
    await traceway.metric("traceway.messaging.kafka.bridge.dead_lettered", { "error.type": "500" }),
    1,
  );
  assert.equal(
    await traceway.metric("traceway.messaging.kafka.bridge.retried", { "error.type": "500" }),
    TRIES - 1,
  );
});
