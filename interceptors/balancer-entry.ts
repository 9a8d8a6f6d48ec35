/**
 * The one entry through which traceway's own balancer (src/) uses the interceptors; the lint
 * rule in eslint.config.js refuses any other path from src/ into interceptors/. It is internal,
 * not a package export: the balancer drives the HTTP server and client calls directly (no options
 * object per call) and records into the interceptors' instruments, names and buckets, so both
 * always agree. Users import `traceway/interceptors` (index.ts) instead.
 */
export type { Clock } from "./clock.ts";
export { ClientCall } from "./http/client-call.ts";
export { createHttpTelemetry } from "./http/http-telemetry.ts";
export type { HttpTelemetry } from "./http/http-telemetry.ts";
export { DEFAULT_REDACTED_QUERY_PARAMETERS } from "./http/query-redaction.ts";
export { ServerCall } from "./http/server-call.ts";
export { HTTP_DURATION_BUCKETS_S } from "./internal/duration-buckets.ts";
export { reportFailure } from "./internal/guard.ts";
// The Kafka bridge and lag exporter (src/kafka) consume and produce through the public interceptors.
export { createLagMonitor, instrumentConsumer, instrumentProducer } from "./kafka/index.ts";
export type { LagMonitor, PartitionLag } from "./kafka/index.ts";
export { PreAggregatedHistograms } from "./metrics/pre-aggregated-histograms.ts";
export { prometheusCompatibleHandler } from "./metrics/prometheus-compatible.ts";
export type { MetricCollector } from "./metrics/prometheus-compatible.ts";
export * from "./semconv.ts";
