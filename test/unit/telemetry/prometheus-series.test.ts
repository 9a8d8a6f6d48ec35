import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import { prometheusMetricName } from "../../../interceptors/metrics/prometheus-names.ts";
import { UpstreamPool } from "../../../src/pool/upstream-pool.ts";
import { ManualClock } from "../../../src/shared/clock.ts";
import { closedPort } from "../../helpers/http-backend.ts";
import { RUNTIME_METER_SCOPES } from "../../../src/telemetry/runtime-metrics.ts";
import { waitFor } from "../../helpers/wait-for.ts";
import { markdownTable } from "../../helpers/markdown-block.ts";
import { fakeRequest, telemetryUnderTest } from "./telemetry-fixture.ts";

const DOCS = fileURLToPath(new URL("../../../docs/telemetry.md", import.meta.url));

/** The scope labels of the OpenTelemetry instrumentations' own meters, which carry their version. */
const RUNTIME = "otel_scope_name otel_scope_version";

/** Every series family the scrape endpoint serves, with its labels: the table in docs/telemetry.md, ## Metrics. */
const EXPECTED: Record<string, string> = {
  target_info: "service_instance_id service_name service_version",
  http_server_request_duration_seconds_bucket:
    "error_type http_request_method http_response_status_code http_route le network_protocol_version otel_scope_name server_address traceway_upstream url_scheme",
  http_client_request_duration_seconds_bucket:
    "error_type http_request_method http_response_status_code le network_protocol_version otel_scope_name server_address server_port traceway_backend traceway_upstream",
  traceway_upstream_queue_wait_duration_seconds_bucket:
    "le otel_scope_name traceway_backend traceway_upstream",
  traceway_upstream_requests_in_flight: "otel_scope_name traceway_backend traceway_upstream",
  traceway_upstream_queue_length: "otel_scope_name traceway_upstream",
  traceway_upstream_backend_up: "otel_scope_name traceway_backend traceway_upstream",
  traceway_upstream_backend_transitions_total:
    "otel_scope_name traceway_backend traceway_backend_state traceway_upstream",
  traceway_upstream_backend_ejections_total: "otel_scope_name traceway_backend traceway_upstream",
  traceway_upstream_retries_total: "otel_scope_name traceway_backend traceway_upstream",
  traceway_requests_refused_total: "otel_scope_name traceway_upstream",
  traceway_http_request_body_bytes_total: "otel_scope_name traceway_backend traceway_upstream",
  traceway_http_response_body_bytes_total: "otel_scope_name traceway_backend traceway_upstream",
  otel_sdk_processor_span_queue_capacity: "otel_component_name otel_component_type otel_scope_name",
  otel_sdk_processor_span_queue_size: "otel_component_name otel_component_type otel_scope_name",
  // Runtime (src/telemetry/runtime-metrics.ts): OpenTelemetry's runtime-node and host-metrics.
  nodejs_eventloop_delay_min_seconds: RUNTIME,
  nodejs_eventloop_delay_max_seconds: RUNTIME,
  nodejs_eventloop_delay_mean_seconds: RUNTIME,
  nodejs_eventloop_delay_stddev_seconds: RUNTIME,
  nodejs_eventloop_delay_p50_seconds: RUNTIME,
  nodejs_eventloop_delay_p90_seconds: RUNTIME,
  nodejs_eventloop_delay_p99_seconds: RUNTIME,
  nodejs_eventloop_utilization_ratio: RUNTIME,
  nodejs_eventloop_time_seconds_total: `nodejs_eventloop_state ${RUNTIME}`,
  v8js_gc_duration_seconds_bucket: `le ${RUNTIME} v8js_gc_type`,
  v8js_memory_heap_used_bytes: `${RUNTIME} v8js_heap_space_name`,
  v8js_memory_heap_space_size_bytes: `${RUNTIME} v8js_heap_space_name`,
  v8js_memory_heap_space_available_size_bytes: `${RUNTIME} v8js_heap_space_name`,
  v8js_memory_heap_space_physical_size_bytes: `${RUNTIME} v8js_heap_space_name`,
  v8js_resource_active: `${RUNTIME} v8js_resource_type`,
  process_cpu_time_seconds_total: `${RUNTIME} process_cpu_state`,
  process_cpu_utilization: `${RUNTIME} process_cpu_state`,
  process_memory_usage: RUNTIME,
};

/** In the docs table but not in this scrape: the span processor counts only after its first export. */
const AFTER_FIRST_EXPORT = ["otel_sdk_processor_span_processed_total"];
/** Labels on every series, or implied by the type, that the table does not repeat per row. */
const IMPLIED_LABELS = new Set(["le", "otel_scope_name", "otel_scope_version"]);

/**
 * The families one row of the docs table names: `x_{bucket,sum,count}` is the family `x_bucket`
 * (as in EXPECTED), and `a_b_size` / `_capacity` names `a_b_size` and `a_b_capacity`.
 */
function documentedFamilies(cell: string): string[] {
  const [first, ...more] = [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
  if (first === undefined) return [];
  const name = first.replace(/_\{bucket,sum,count\}$/, "_bucket");
  return [name, ...more.map((suffix) => name.replace(/_[a-z]+$/, suffix))];
}

/** Enough short-lived objects for a scavenge. */
function garbage(): number {
  let kept = 0;
  for (let i = 0; i < 200_000; i++) kept += { i, s: `x${i}` }.s.length;
  return kept;
}

describe("Prometheus series names", () => {
  it("are the families the docs/telemetry.md table lists, each with its labels", () => {
    const rows = markdownTable(DOCS, "## Metrics");
    const documented = new Map<string, string>();
    for (const [series = "", , , labels = ""] of rows) {
      for (const family of documentedFamilies(series)) documented.set(family, labels);
    }
    const served = Object.keys(EXPECTED).filter((name) => name !== "target_info");
    assert.deepEqual([...documented.keys()].sort(), [...served, ...AFTER_FIRST_EXPORT].sort());
    for (const family of served) {
      for (const label of EXPECTED[family]!.split(" ").filter((l) => !IMPLIED_LABELS.has(l))) {
        assert.ok(
          documented.get(family)?.includes(`\`${label}\``),
          `docs/telemetry.md: ${family} lacks ${label}`,
        );
      }
    }
  });

  it("are exactly the documented families and labels (unit suffixes as the OTel compatibility rule adds them)", async () => {
    const port = await closedPort();
    const { telemetry, reader } = await telemetryUnderTest({
      telemetry: {
        prometheus: { enabled: true, host: "127.0.0.1", port: 0, path: "/metrics" },
        traces: { enabled: true, otlpEndpoint: `http://127.0.0.1:${port}`, sampleRatio: 1 },
      },
      logging: { level: "silent" },
      options: { scheduledDelayMillis: 60_000 },
    });
    try {
      const pool = new UpstreamPool("api", [{ url: "http://127.0.0.1:7001", weight: 1, backup: false }], {
        clock: new ManualClock(0),
        slowStartMs: 0,
        panicMode: false,
      });
      telemetry.observePool(pool);
      telemetry.observeQueue("api", { length: 0 });
      const backend = pool.backends[0]!;
      pool.setActiveStatus(backend, false);
      telemetry.healthEvents.onEjection({
        upstream: "api",
        backend: backend.label,
        reason: "test",
        untilMs: 1,
      });
      const attempt = { backend, upstream: "api", method: "GET", url: `${backend.id}/`, headers: {} };
      const retried = telemetry.observer.onRequest({
        req: fakeRequest(),
        method: "GET",
        route: "/*",
        upstream: "api",
        routeHost: "api.example.com",
      });
      retried.onQueued?.(backend, 0.01);
      retried.onAttempt({ ...attempt, resendCount: 0 }).end({ statusCode: 502, errorType: "502" });
      retried.onAttempt({ ...attempt, resendCount: 1 }).end({ statusCode: 200 });
      retried.end({ statusCode: 200, backend, retries: 1, bytesIn: 1, bytesOut: 1 });
      const refused = telemetry.observer.onRequest({
        req: fakeRequest(),
        method: "GET",
        route: "/*",
        upstream: "api",
      });
      refused.end({
        statusCode: 503,
        retries: 0,
        errorCode: "TRACEWAY_ERR_NO_HEALTHY_BACKEND",
        bytesIn: 0,
        bytesOut: 0,
      });

      // Runtime series need a GC, host-metrics' first (asynchronous) reading, and 5 event-loop delay
      // samples (10 ms apart) since the last scrape.
      const text = await waitFor(
        async () => {
          garbage();
          const scrape = await (await fetch(telemetry.metricsUrl!)).text();
          const ready = [
            "v8js_gc_duration_seconds_count",
            "process_memory_usage",
            "nodejs_eventloop_delay_p99_seconds",
          ];
          return ready.every((name) => new RegExp(`^${name}`, "m").test(scrape)) && scrape;
        },
        { what: "a scrape with the GC histogram, process memory and event-loop delay" },
      );
      const families = new Map<string, Set<string>>();
      for (const line of text.split("\n")) {
        if (line === "" || line.startsWith("#")) continue;
        const name = line.replace(/[{ ].*/, "");
        if (name.endsWith("_sum") || name.endsWith("_count")) continue;
        const labels = families.get(name) ?? new Set<string>();
        for (const m of line.matchAll(/(\w+)="/g)) labels.add(m[1]!);
        families.set(name, labels);
      }
      const seen = Object.fromEntries(
        [...families].map(([name, labels]) => [name, [...labels].sort().join(" ")]),
      );
      assert.deepEqual(seen, EXPECTED);
      // Each family is its instrument's name under the rule: OTel name, unit and type → Prometheus name.
      // The test's own reader: the event-loop delay needs 5 samples since the scrape read them.
      const byRule = await waitFor(
        async () => {
          const { resourceMetrics } = await reader.collect();
          const names = resourceMetrics.scopeMetrics
            .flatMap((scope) => scope.metrics)
            .map((m) => {
              const { name, unit } = m.descriptor;
              if (m.dataPointType === DataPointType.HISTOGRAM)
                return `${prometheusMetricName(name, unit, "histogram")}_bucket`;
              if (m.dataPointType === DataPointType.SUM)
                return prometheusMetricName(
                  name,
                  unit,
                  m.isMonotonic ? "monotonic_counter" : "non_monotonic_counter",
                );
              return prometheusMetricName(name, unit, "gauge");
            });
          return names.length === Object.keys(EXPECTED).length - 1 && names;
        },
        { what: "every instrument in the test reader's collection" },
      );
      assert.deepEqual(
        byRule.sort(),
        Object.keys(EXPECTED)
          .filter((family) => family !== "target_info")
          .sort(),
      );
      // The compatibility rule's unit words, in the name and as UNIT metadata.
      assert.match(text, /^# TYPE http_client_request_duration_seconds histogram$/m);
      assert.match(text, /^# UNIT http_client_request_duration_seconds seconds$/m);
      assert.match(text, /^# UNIT traceway_http_request_body_bytes_total bytes$/m);
      assert.doesNotMatch(text, /^# UNIT traceway_upstream_backend_up /m, "a count has no unit word");
      // GC pauses past 2 s have a bucket edge of their own: the seed's "GC > 2 s" alert needs it.
      assert.match(text, /^v8js_gc_duration_seconds_bucket\{[^}]*le="2"\} \d+$/m);
      assert.match(text, /^# UNIT v8js_gc_duration_seconds seconds$/m);
      // The runtime series come from exactly the meters a multi-process instance keeps apart.
      const runtimeScopes = new Set(
        [...text.matchAll(/^(?:nodejs|v8js|process)_\w+\{[^}]*otel_scope_name="([^"]+)"/gm)].map((m) => m[1]),
      );
      assert.deepEqual([...runtimeScopes].sort(), [...RUNTIME_METER_SCOPES].sort());
    } finally {
      await telemetry.shutdown();
    }
  });
});
