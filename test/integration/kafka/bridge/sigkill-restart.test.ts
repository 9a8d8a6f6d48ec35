import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import { startCli, type CliProcess } from "../../../helpers/cli-process.ts";
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
  type Received,
} from "./bridge-fixture.ts";

// traceway (the CLI, a real process) is killed with SIGKILL halfway through. After a restart every
// message arrives; the only duplicates are messages that were delivered but not yet committed at
// the kill; and the committed offsets never passed a message the backends had not accepted.
const MESSAGES = 4000;
const slow = async () => {
  await sleep(2);
  return 200;
};
const backends = ["a", "b"].map((name) => new RecordingBackend(name, slow));
let dir: string;
let cli: CliProcess | undefined;

const lab = bridgeTopicLab({
  prefix: "bridge-sigkill",
  partitions: 3,
  backends,
  stopFirst: () => cli?.stop(),
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "traceway-sigkill-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function committed(group: string): Promise<Map<number, number>> {
  const { admin, topic } = lab;
  const [offsets] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
  return new Map(offsets!.partitions.map((p) => [p.partition, Number(p.offset)]));
}

void test("SIGKILL halfway: after a restart all arrive, duplicates ≤ delivered-but-uncommitted, commits never ahead", async (t) => {
  const { kafka, topic } = lab;
  const produced = await produceKeyed(kafka, topic, MESSAGES, 40);
  const group = `${topic}-bridge`;
  const file = join(dir, "traceway.yaml");
  await writeFile(
    file,
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends,
      bridge: [
        "name: orders",
        `topics: [${topic}]`,
        `groupId: ${group}`,
        "upstream: api",
        "startFrom: earliest",
      ].join("\n"),
    }),
  );
  cli = startCli(["--config", file]);
  await cli.waitForOutput(/kafka bridge consuming/, "the bridge consuming", 60_000);
  await waitFor(() => deliveries(backends).delivered >= MESSAGES / 2, {
    what: "half the messages delivered",
    timeoutMs: 120_000,
    intervalMs: 20,
  });
  cli.child.kill("SIGKILL");
  await cli.exited;
  // Requests the backends were still answering have now been recorded too.
  await sleep(200);
  const atKill: Received[] = backends.flatMap((b) => b.received).filter((r) => r.status < 300);
  const commitsAtKill = await committed(group);
  const accepted = new Set(atKill.map((r) => `${r.partition}/${r.offset}`));
  const passedUnfinished: string[] = [];
  for (const [partition, offset] of commitsAtKill) {
    for (let o = 0; o < offset; o++)
      if (!accepted.has(`${partition}/${o}`)) passedUnfinished.push(`${partition}/${o}`);
  }
  const uncommitted = atKill.filter((r) => r.offset >= (commitsAtKill.get(r.partition) ?? 0)).length;
  t.diagnostic(
    `at the kill: ${atKill.length} delivered, commits ${[...commitsAtKill].map(([p, o]) => `${p}:${o}`).join(" ")}, ${uncommitted} delivered but not committed`,
  );
  assert.deepEqual(passedUnfinished, [], "no commit passed a message the backends had not accepted");

  cli = startCli(["--config", file]);
  await waitFor(() => missing(produced, backends).length === 0, {
    what: "every message after the restart",
    timeoutMs: 120_000,
    intervalMs: 200,
  });
  const { delivered, unique, duplicates } = deliveries(backends);
  t.diagnostic(
    `after the restart: ${delivered} deliveries, ${unique} unique, ${duplicates} duplicates (bound ${uncommitted})`,
  );
  assert.equal(unique, MESSAGES);
  assert.ok(
    duplicates <= uncommitted,
    `${duplicates} duplicates, at most the ${uncommitted} in flight at the kill`,
  );
  assert.deepEqual(orderViolations(produced, backends), []);
});
