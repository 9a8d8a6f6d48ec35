/**
 * Every histogram bucket layout the interceptors (and the balancer's own duration metrics) use,
 * in seconds, in one place so the HTTP and messaging durations line up on one dashboard.
 */

/**
 * The boundaries the OpenTelemetry semconv recommends for `http.*.request.duration` and
 * `messaging.process.duration`. 0.2 s falls in (0.1, 0.25], so a 200 ms backend is told apart
 * from a 50 ms one.
 */
const SEMCONV_DURATION_BUCKETS_S: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

/** Every HTTP duration histogram: server, client, and the balancer's own. */
export const HTTP_DURATION_BUCKETS_S: readonly number[] = SEMCONV_DURATION_BUCKETS_S;

/** `messaging.process.duration`: time in the application's handler. */
export const PROCESS_DURATION_BUCKETS_S: readonly number[] = SEMCONV_DURATION_BUCKETS_S;

/** End-to-end latency includes time spent waiting in the backlog, so it needs minutes-long buckets. */
export const E2E_DURATION_BUCKETS_S: readonly number[] = [
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];
