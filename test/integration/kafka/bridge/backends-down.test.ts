import assert from "node:assert/strict";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import { startCli, type CliProcess } from "../../../helpers/cli-process.ts";
import { closedPort } from "../../../helpers/http-backend.ts";
import { KAFKA_BROKER } from "../../../helpers/services.ts";
import { waitFor } from "../../../helpers/wait-for.ts";
import {
  bridgeTopicLab,
  bridgeYaml,
  cpuSeconds,
  missing,
  orderViolations,
  produceKeyed,
  RecordingBackend,
  scrape,
} from "./bridge-fixture.ts";

// Every backend down: the bridge pauses its partitions and waits without spinning (the process
// stays near idle), then resumes on its own when a backend is back, losing nothing.
const OUTAGE_WINDOW_MS = 5000;
/** A spinning bridge burns a core; a waiting one a timer a second and its health checks. */
const MAX_CPU_SHARE = 0.1;
const backends = ["a", "b"].map((name) => new RecordingBackend(name));
let dir: string;
let cli: CliProcess | undefined;

const lab = bridgeTopicLab({
  prefix: "bridge-down",
  partitions: 3,
  backends,
  stopFirst: () => cli?.stop(),
});

before(async () => {
  dir = await mkdtemp(join(tmpdir(), "traceway-down-"));
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pausedPartitions(metricsUrl: string): Promise<number> {
  const series = await scrape(metricsUrl);
  return series.filter(
    (s) => /^traceway_messaging_kafka_bridge_partition_paused/.test(s.name) && s.value === 1,
  ).length;
}

void test("all backends down: partitions paused, CPU near idle, traffic resumes when a backend returns", async (t) => {
  const { kafka, topic } = lab;
  const metricsPort = await closedPort();
  const metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
  const file = join(dir, "traceway.yaml");
  await writeFile(
    file,
    bridgeYaml({
      broker: KAFKA_BROKER,
      backends,
      upstream:
        "healthCheck: { interval: 200ms, timeout: 100ms, unhealthyThreshold: 1, healthyThreshold: 1 }",
      telemetry: `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
      bridge: [
        "name: down",
        `topics: [${topic}]`,
        `groupId: ${topic}-bridge`,
        "upstream: api",
        "startFrom: earliest",
      ].join("\n"),
    }),
  );
  const before = await produceKeyed(kafka, topic, 300, 30);
  cli = startCli(["--config", file]);
  await waitFor(() => missing(before, backends).length === 0, {
    what: "the first 300 delivered",
    timeoutMs: 90_000,
  });

  for (const b of backends) await b.kill();
  const during = await produceKeyed(kafka, topic, 300, 30, () => ({}), 300);
  await waitFor(async () => (await pausedPartitions(metricsUrl)) === 3, {
    what: "all three partitions paused",
    timeoutMs: 60_000,
    intervalMs: 250,
  });
  const pid = cli.child.pid!;
  const cpuBefore = cpuSeconds(pid);
  const startedAt = performance.now();
  await sleep(OUTAGE_WINDOW_MS);
  const cpu = cpuSeconds(pid) - cpuBefore;
  const wall = (performance.now() - startedAt) / 1000;
  t.diagnostic(
    `paused: ${cpu.toFixed(2)} s CPU in ${wall.toFixed(1)} s (${((100 * cpu) / wall).toFixed(1)}%)`,
  );
  assert.ok(cpu / wall < MAX_CPU_SHARE, `${cpu} s of CPU in ${wall} s while paused`);
  assert.match(cli.stdout(), /the upstream cannot take messages; pausing every partition/);

  await backends[0]!.start();
  const resumedAt = performance.now();
  await waitFor(() => missing(during, backends).length === 0, {
    what: "the messages produced during the outage",
    timeoutMs: 90_000,
  });
  t.diagnostic(
    `all delivered ${((performance.now() - resumedAt) / 1000).toFixed(1)} s after backend a came back`,
  );
  await waitFor(async () => (await pausedPartitions(metricsUrl)) === 0, { what: "partitions resumed" });
  const all = new Map([...before].map(([k, v]) => [k, [...v, ...(during.get(k) ?? [])]]));
  assert.deepEqual(orderViolations(all, backends), []);
  const dead = (await scrape(metricsUrl)).filter((s) =>
    s.name.startsWith("traceway_messaging_kafka_bridge_dead_lettered"),
  );
  assert.equal(
    dead.reduce((n, s) => n + s.value, 0),
    0,
    "an outage dead-letters nothing",
  );
  assert.match(cli.stdout(), /the upstream takes messages again; resuming/);
});
