export { DEFAULT_CARDINALITY_LIMIT, PreAggregatedHistograms } from "./pre-aggregated-histograms.ts";
export type { PreAggregatedHistogram, PreAggregatedHistogramOptions } from "./pre-aggregated-histograms.ts";
export { prometheusMetricName, prometheusUnit } from "./prometheus-names.ts";
export type { OtlpMetricType } from "./prometheus-names.ts";
export {
  PROMETHEUS_CONTENT_TYPE,
  prometheusCompatibleHandler,
  toPrometheusCompatible,
} from "./prometheus-compatible.ts";
export type { MetricCollector } from "./prometheus-compatible.ts";
