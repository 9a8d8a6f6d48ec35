import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Admin, Kafka } from "kafkajs";
import { parseConfigText } from "../../../../src/config/load.ts";
import { ensureServices, KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeYaml,
  createTopic,
  produceKeyed,
  RecordingBackend,
  startTraceway,
  testKafka,
  type Traceway,
} from "./bridge-fixture.ts";

// A config reload adds a bridge, removes one, and restarts one whose settings changed; a bridge
// whose settings did not change keeps running (its group is not rebalanced).
const backend = new RecordingBackend("a");
let kafka: Kafka;
let admin: Admin;
let first: string;
let second: string;
let traceway: Traceway;

before(async () => {
  await ensureServices("kafka");
  kafka = testKafka(KAFKA_BROKER);
  admin = kafka.admin();
  await admin.connect();
  first = await createTopic(admin, "bridge-reload-a", 1);
  second = await createTopic(admin, "bridge-reload-b", 1);
  await backend.start();
});

after(async () => {
  await traceway?.stop();
  await backend.kill();
  await admin.deleteTopics({ topics: [first, second] }).catch(() => undefined);
  await admin.disconnect();
});

const bridge = (name: string, topic: string, path: string): string =>
  [
    `name: ${name}`,
    `topics: [${topic}]`,
    `groupId: ${topic}-g`,
    "upstream: api",
    `path: ${path}`,
    "startFrom: earliest",
  ].join("\n");

/** The YAML with several bridges: bridgeYaml takes one, the rest are appended as list items. */
function yaml(bridges: string[]): string {
  const [head, ...rest] = bridges;
  const extra = rest.map((b) =>
    b
      .split("\n")
      .map((l, i) => (i === 0 ? `    - ${l}` : `      ${l}`))
      .join("\n"),
  );
  return [bridgeYaml({ broker: KAFKA_BROKER, backends: [backend], bridge: head! }), ...extra].join("\n");
}

void test("reload: a new bridge starts, a removed one stops, a changed one restarts with its new settings", async () => {
  backend.answer = () => 200;
  traceway = await startTraceway(yaml([bridge("a", first, "/a")]));
  await produceKeyed(kafka, first, 3, 1);
  await waitFor(() => backend.received.length === 3, { what: "bridge a's first messages" });
  const running = traceway.running;
  const bridgeA = running.kafka.bridges.get("a");

  // Add b, keep a as it is.
  running.reload(
    parseConfigText(yaml([bridge("a", first, "/a"), bridge("b", second, "/b")]), { env: {} }).config,
  );
  await produceKeyed(kafka, second, 2, 1);
  await waitFor(() => backend.received.filter((r) => r.topic === second).length === 2, {
    what: "bridge b delivering",
  });
  assert.equal(running.kafka.bridges.get("a"), bridgeA, "the unchanged bridge kept running");

  // Remove a, change b's path.
  running.reload(parseConfigText(yaml([bridge("b", second, "/b2")]), { env: {} }).config);
  await waitFor(
    () => !running.kafka.bridges.has("a") && running.kafka.bridges.get("b")?.config.path === "/b2",
    {
      what: "the reload applied",
    },
  );
  await produceKeyed(kafka, first, 2, 1, () => ({}), 3);
  await produceKeyed(kafka, second, 2, 1, () => ({}), 2);
  await waitFor(() => backend.received.filter((r) => r.topic === second).length === 4, {
    what: "b on its new path",
  });
  assert.equal(
    backend.received.filter((r) => r.topic === first).length,
    3,
    "the removed bridge took nothing more",
  );
  assert.deepEqual(
    backend.received.filter((r) => r.topic === second).map((r) => r.path),
    ["/b", "/b", "/b2", "/b2"],
  );
});
