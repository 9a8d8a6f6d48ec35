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

// A 4xx (other than 429) is the service's answer about the message itself: retrying would get the
// same answer, so it goes to the dead-letter topic after one try.
const backend = new RecordingBackend("a", (m) => (m.body === "bad" ? 422 : 200));
let traceway: Traceway;

const lab = bridgeTopicLab({
  prefix: "bridge-4xx",
  partitions: 1,
  backends: [backend],
  dlq: true,
  stopFirst: () => traceway?.stop(),
});

void test("a 422 goes to the dead-letter topic at once, with no retry", async () => {
  const { kafka, admin, topic, dlq } = lab;
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
  await producer.connect();
  await producer.send({
    topic,
    messages: [
      { key: "a", value: "good" },
      { key: "a", value: "bad" },
      { key: "a", value: "after" },
    ],
  });
  await producer.disconnect();
  traceway = await startTraceway(
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends: [backend],
      bridge: [
        "name: strict",
        `topics: [${topic}]`,
        `groupId: ${topic}-bridge`,
        "upstream: api",
        "startFrom: earliest",
        "retry: { tries: 5, backoff: 1s }",
        `deadLetterTopic: ${dlq}`,
      ].join("\n"),
    }),
  );
  const [letter] = await readTopic(kafka, dlq, 1);
  await waitFor(() => committedAtEnd(admin, `${topic}-bridge`, topic), { what: "commits at the end" });
  assert.deepEqual(
    backend.received.map((r) => `${r.body} ${r.status}`),
    ["good 200", "bad 422", "after 200"],
  );
  assert.equal(letter?.value?.toString(), "bad");
  assert.equal(letter?.headers?.[DEAD_LETTER_HEADERS.errorType]?.toString(), "422");
  assert.equal(letter?.headers?.[DEAD_LETTER_HEADERS.attempts]?.toString(), "1");
  assert.equal(letter?.headers?.[DEAD_LETTER_HEADERS.error]?.toString(), "HTTP 422: failed 1");
  assert.equal(await traceway.metric("traceway.messaging.kafka.bridge.retried"), 0);
  assert.equal(
    await traceway.metric("traceway.messaging.kafka.bridge.dead_lettered", { "error.type": "422" }),
    1,
  );
});
