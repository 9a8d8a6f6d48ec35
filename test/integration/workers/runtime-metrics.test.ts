import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { closedPort, startBackend, type TestBackend } from "../../helpers/http-backend.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { scrape, spread, startInstance, type Instance, type Sample } from "./instance.ts";

const LOOP_DELAY_P99 = "nodejs_eventloop_delay_p99_seconds";

describe("runtime series of a two-worker instance stay one per process", () => {
  let backend: TestBackend;
  let instance: Instance;
  let metricsUrl: string;
  /** The `worker` labels expected: every worker's slot, and the primary. */
  let processes: string[];
  before(async () => {
    backend = await startBackend("a");
    const metricsPort = await closedPort();
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    instance = await startInstance(
      [
        `server: { listen: "127.0.0.1:0", workers: 2 }`,
        `upstreams: { api: { backends: [{ url: "${backend.url}" }] } }`,
        `telemetry: { prometheus: { listen: "127.0.0.1:${metricsPort}" } }`,
      ].join("\n"),
    );
    processes = [...[...instance.workers.keys()].map(String), "primary"].sort();
  });
  after(async () => {
    await instance.stop();
    await backend.kill();
  });

  it(`${LOOP_DELAY_P99} once per process, labelled with its worker slot or primary; traceway's own series unlabelled`, async (t) => {
    await spread(`${instance.url}/x`, 100, 4);
    // The loop-delay gauges appear once a process has sampled its loop since its last collection.
    const samples = await waitFor(
      async () => {
        const s = await scrape(metricsUrl);
        return workersOf(s, LOOP_DELAY_P99).length === processes.length ? s : undefined;
      },
      { what: `${LOOP_DELAY_P99} from all three processes` },
    );
    const p99 = samples.filter((s) => s.name === LOOP_DELAY_P99);
    assert.deepEqual(
      workersOf(samples, LOOP_DELAY_P99),
      processes,
      "one series per process, none unlabelled",
    );
    assert.equal(p99.length, processes.length);

    // Counters of one process are kept apart too: CPU time per process and state, never summed.
    const cpu = samples.filter((s) => s.name === "process_cpu_time_seconds_total");
    assert.ok(cpu.length > 0, "process CPU time is served");
    assert.deepEqual([...new Set(workersOf(samples, "process_cpu_time_seconds_total"))], processes);
    const cpuStates = new Set(cpu.map((s) => s.labels["process_cpu_state"]));
    assert.equal(cpu.length, processes.length * cpuStates.size, "one series per process and CPU state");

    // The instance's request series are one per backend, added up across workers, with no worker label.
    const requests = samples.filter((s) => /^http_server_request_duration(_seconds)?_count$/.test(s.name));
    assert.ok(requests.length > 0);
    for (const s of requests) assert.equal(s.labels["worker"], undefined, JSON.stringify(s.labels));
    t.diagnostic(
      `loop delay p99 by worker: ${p99.map((s) => `${s.labels["worker"]}=${s.value}`).join(", ")}`,
    );
  });
});

/** The sorted `worker` labels of the series named `name` (an unlabelled series shows as "-"). */
function workersOf(samples: readonly Sample[], name: string): string[] {
  return samples
    .filter((s) => s.name === name)
    .map((s) => s.labels["worker"] ?? "-")
    .sort();
}
