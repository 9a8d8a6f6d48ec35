import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { runtimeWindow, scrape } from "../lib/runtime-profile.ts";
import { startTelemetry } from "../../src/telemetry/setup.ts";
import { GC_DURATION_BUCKETS_S } from "../../src/telemetry/runtime-metrics.ts";
import { TELEMETRY_OFF } from "../../test/unit/telemetry/telemetry-fixture.ts";
import { waitFor } from "../../test/helpers/wait-for.ts";

/** Two scrapes of the same process 4 s apart that served 2000 requests, as the exporter writes them. */
const SCOPE = 'otel_scope_name="@opentelemetry/instrumentation-runtime-node",otel_scope_version="0.37.0"';
const BEFORE = `# HELP nodejs_eventloop_time_seconds_total Cumulative duration of time the event loop has been in each state.
nodejs_eventloop_time_seconds_total{nodejs_eventloop_state="active",${SCOPE}} 10
nodejs_eventloop_time_seconds_total{nodejs_eventloop_state="idle",${SCOPE}} 30
nodejs_eventloop_delay_p99_seconds{${SCOPE}} 0.5
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",${SCOPE},le="0.001"} 5
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",${SCOPE},le="0.0025"} 9
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",${SCOPE},le="+Inf"} 10
v8js_gc_duration_seconds_sum{v8js_gc_type="minor",${SCOPE}} 0.02
v8js_gc_duration_seconds_count{v8js_gc_type="minor",${SCOPE}} 10
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",${SCOPE},le="0.001"} 0
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",${SCOPE},le="0.0025"} 0
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",${SCOPE},le="+Inf"} 1
v8js_gc_duration_seconds_sum{v8js_gc_type="major",${SCOPE}} 0.01
v8js_gc_duration_seconds_count{v8js_gc_type="major",${SCOPE}} 1
`;
const AFTER = `nodejs_eventloop_time_seconds_total{nodejs_eventloop_state="active",${SCOPE}} 13
nodejs_eventloop_time_seconds_total{nodejs_eventloop_state="idle",${SCOPE}} 31
nodejs_eventloop_delay_p99_seconds{${SCOPE}} 0.012
nodejs_eventloop_delay_max_seconds{${SCOPE}} 0.03
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",${SCOPE},le="0.001"} 25
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",${SCOPE},le="0.0025"} 49
v8js_gc_duration_seconds_bucket{v8js_gc_type="minor",${SCOPE},le="+Inf"} 50
v8js_gc_duration_seconds_sum{v8js_gc_type="minor",${SCOPE}} 0.1
v8js_gc_duration_seconds_count{v8js_gc_type="minor",${SCOPE}} 50
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",${SCOPE},le="0.001"} 0
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",${SCOPE},le="0.0025"} 0
v8js_gc_duration_seconds_bucket{v8js_gc_type="major",${SCOPE},le="+Inf"} 1
v8js_gc_duration_seconds_sum{v8js_gc_type="major",${SCOPE}} 0.01
v8js_gc_duration_seconds_count{v8js_gc_type="major",${SCOPE}} 1
`;

/** Blocks the event loop for `ms`: one turn that every timer behind it waits for. */
function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

/** Enough short-lived objects for scavenges. */
function garbage(): number {
  let kept = 0;
  for (let i = 0; i < 300_000; i++) kept += { i, s: `x${i}` }.s.length;
  return kept;
}

describe("runtime figures of a bench run, from two scrapes", () => {
  it("are the counters' differences over the run and the gauges of the second scrape", () => {
    const w = runtimeWindow(BEFORE, AFTER, 4, 2000);
    assert.equal(w.eventLoopUtilization, 3 / 4); // 3 s active, 1 s idle during the run
    assert.equal(w.eventLoopDelayP99Ms, 12);
    assert.equal(w.eventLoopDelayMaxMs, 30);
    assert.ok(Math.abs(w.gcShare - 0.08 / 4) < 1e-12); // 80 ms of minor pauses, no new major one
    assert.equal(w.gcPausesPerKRequests, 20); // 40 pauses over 2000 requests
    // 20 of the 40 new pauses ≤ 1 ms, all 40 ≤ 2.5 ms.
    assert.equal(w.gcLongestPauseAtMostMs, 2.5);
  });

  it("leave out what a run did not have: no GC, no requests, a missing series", () => {
    const w = runtimeWindow(BEFORE, BEFORE, 4, 0);
    assert.equal(w.gcShare, 0);
    assert.ok(Number.isNaN(w.gcPausesPerKRequests));
    assert.ok(Number.isNaN(w.gcLongestPauseAtMostMs));
    assert.ok(Number.isNaN(w.eventLoopDelayMaxMs), "the first scrape has no max gauge");
  });

  it("see a blocked loop and a run's collections on traceway's real /metrics", async () => {
    const telemetry = await startTelemetry({
      telemetry: {
        ...TELEMETRY_OFF,
        prometheus: { enabled: true, host: "127.0.0.1", port: 0, path: "/metrics" },
      },
      logging: { level: "silent", accessLog: false, format: "json" },
    });
    try {
      const url = telemetry.metricsUrl!;
      // The first scrape resets the delay histogram; what follows is the run.
      const before = await waitFor(
        async () => {
          garbage();
          const text = await scrape(url);
          return text?.includes("v8js_gc_duration_seconds_count") ? text : undefined;
        },
        { what: "a scrape with the GC histogram", intervalMs: 20 },
      );
      garbage();
      const startedMs = performance.now();
      block(120);
      garbage();
      // The run goes on idle for a while: the delay gauges need at least 5 samples (10 ms apart)
      // since the last scrape, and polling would reset them. A window to measure, not a sync.
      await new Promise((resolve) => setTimeout(resolve, 250));
      const after = (await scrape(url))!;
      const w = runtimeWindow(before, after, (performance.now() - startedMs) / 1000, 1000);
      assert.ok(
        w.eventLoopDelayMaxMs >= 100,
        `loop delay max ${w.eventLoopDelayMaxMs} ms after a 120 ms block`,
      );
      assert.ok(
        w.eventLoopUtilization > 0.3 && w.eventLoopUtilization <= 1,
        `busy ${w.eventLoopUtilization}`,
      );
      assert.ok(w.gcPausesPerKRequests > 0, "the run's scavenges are counted");
      assert.ok(w.gcShare > 0 && w.gcShare < 1, `GC share ${w.gcShare}`);
      const edgesMs = [...GC_DURATION_BUCKETS_S.map((s) => s * 1000), Number.POSITIVE_INFINITY];
      assert.ok(edgesMs.includes(w.gcLongestPauseAtMostMs), `${w.gcLongestPauseAtMostMs} is a bucket edge`);
    } finally {
      await telemetry.shutdown();
    }
  });
});
