export { DEFAULT_CARDINALITY_LIMIT, PreAggregatedHistograms } from "./pre-aggregated-histograms.ts";
export type { PreAggregatedHistogram, PreAggregatedHistogramOptions } from "./pre-aggregated-histograms.ts";
