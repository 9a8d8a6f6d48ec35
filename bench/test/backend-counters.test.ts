import assert from "node:assert/strict";
import { test } from "node:test";
import { analyseStop, sumBackendCounters } from "../lib/backend-counters.ts";

// Shape copied from a real traceway /metrics scrape.
const EXPOSITION = `# HELP http_client_request_duration_seconds Upstream attempts
http_client_request_duration_seconds_count{server_port="48201",traceway_backend="127.0.0.1:48201",http_response_status_code="200"} 6
http_client_request_duration_seconds_sum{server_port="48201",traceway_backend="127.0.0.1:48201"} 0.03
http_client_request_duration_seconds_bucket{traceway_backend="127.0.0.1:48201",le="+Inf"} 6
http_client_request_duration_seconds_count{server_port="48202",traceway_backend="127.0.0.1:48202",error_type="connect_error"} 3
http_client_request_duration_seconds_count{server_port="48202",traceway_backend="127.0.0.1:48202",http_response_status_code="200"} 4
traceway_http_response_body_bytes_total{traceway_backend="127.0.0.1:48202"} 1200
traceway_upstream_backend_ejections_total{traceway_backend="127.0.0.1:48202"} 1
traceway_health_check_duration_seconds_count{traceway_backend="127.0.0.1:48202"} 50
`;

test("counts attempts (duration histogram counts) to one backend, successful or failed", () => {
  assert.equal(sumBackendCounters(EXPOSITION, "127.0.0.1:48202"), 7);
  assert.equal(sumBackendCounters(EXPOSITION, "127.0.0.1:48201"), 6);
  assert.equal(sumBackendCounters(EXPOSITION, "127.0.0.1:9"), 0);
});

test("stop time is the last increase before the first quiet second", () => {
  const samples = [
    { t: -100, sum: 10 },
    { t: 50, sum: 14 },
    { t: 150, sum: 15 },
    { t: 250, sum: 15 },
    { t: 1200, sum: 15 },
    // A later re-probe after the ejection expired does not move the stop time.
    { t: 5000, sum: 16 },
  ];
  assert.deepEqual(analyseStop(samples, 1000), { stoppedAfterMs: 150, attemptsAfterKill: 6 });
});

test("no attempts after the kill means stopped at once; never quiet means undefined", () => {
  assert.deepEqual(
    analyseStop(
      [
        { t: -50, sum: 3 },
        { t: 1100, sum: 3 },
      ],
      1000,
    ),
    {
      stoppedAfterMs: 0,
      attemptsAfterKill: 0,
    },
  );
  const busy = Array.from({ length: 30 }, (_, i) => ({ t: i * 100, sum: i }));
  assert.equal(analyseStop(busy, 1000).stoppedAfterMs, undefined);
});
