import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { prometheusMetricName, prometheusUnit } from "../../../../interceptors/metrics/prometheus-names.ts";
import type { OtlpMetricType } from "../../../../interceptors/metrics/prometheus-names.ts";

// The examples of the OpenTelemetry Prometheus compatibility rule as the Collector's translator
// documents them (pkg/translator/prometheus README), plus the cases traceway's own names meet.
const CASES: readonly (readonly [string, string, OtlpMetricType, string])[] = [
  // Unsupported characters and extraneous underscores.
  ["(lambda).function.executions(#)", "", "gauge", "lambda_function_executions"],
  ["a..b__c", "", "gauge", "a_b_c"],
  // Standard unit: converted and appended.
  ["system.filesystem.usage", "By", "gauge", "system_filesystem_usage_bytes"],
  ["http.server.request.duration", "s", "histogram", "http_server_request_duration_seconds"],
  ["db.client.operation.duration", "ms", "histogram", "db_client_operation_duration_milliseconds"],
  // Non-standard unit in braces: dropped.
  ["system.network.dropped", "{packets}", "gauge", "system_network_dropped"],
  [
    "traceway.upstream.requests.in_flight",
    "{request}",
    "non_monotonic_counter",
    "traceway_upstream_requests_in_flight",
  ],
  // Non-standard unit outside braces: appended as written.
  ["system.network.dropped", "packets", "gauge", "system_network_dropped_packets"],
  // Unit 1: `_ratio` for gauges only.
  ["system.memory.utilization", "1", "gauge", "system_memory_utilization_ratio"],
  ["requests.count", "1", "monotonic_counter", "requests_count_total"],
  ["cpu.ratio.used", "1", "gauge", "cpu_used_ratio"],
  // Rates: `_per_<unit>`, singular.
  ["network.io.rate", "By/s", "gauge", "network_io_rate_bytes_per_second"],
  ["events.rate", "{event}/s", "gauge", "events_rate_per_second"],
  // Counters end in `_total`, moved to the end if the name has it elsewhere.
  [
    "messaging.client.consumed.messages",
    "{message}",
    "monotonic_counter",
    "messaging_client_consumed_messages_total",
  ],
  ["http.requests.total", "{request}", "monotonic_counter", "http_requests_total"],
  ["system.io.total.bytes", "By", "monotonic_counter", "system_io_bytes_total"],
  // The unit word is not repeated when the name already has it.
  ["traceway.http.request.body.bytes", "By", "monotonic_counter", "traceway_http_request_body_bytes_total"],
  ["process.cpu.seconds", "s", "monotonic_counter", "process_cpu_seconds_total"],
  // A name may not start with a digit.
  ["5xx.responses", "{response}", "monotonic_counter", "_5xx_responses_total"],
];

describe("prometheusMetricName: the OTel Prometheus compatibility rule with suffixes", () => {
  for (const [name, unit, type, expected] of CASES) {
    it(`${name} [${unit}] (${type}) → ${expected}`, () => {
      assert.equal(prometheusMetricName(name, unit, type), expected);
    });
  }
});

describe("prometheusUnit: the # UNIT word matches the name's suffix", () => {
  for (const [unit, type, expected] of [
    ["s", "histogram", "seconds"],
    ["By", "monotonic_counter", "bytes"],
    ["By/s", "gauge", "bytes_per_second"],
    ["{request}", "non_monotonic_counter", ""],
    ["{request}/s", "gauge", "per_second"],
    ["1", "gauge", "ratio"],
    ["1", "monotonic_counter", ""],
    ["", "gauge", ""],
  ] as const) {
    it(`${unit || "(none)"} (${type}) → ${expected || "(none)"}`, () => {
      assert.equal(prometheusUnit(unit, type), expected);
    });
  }
});
