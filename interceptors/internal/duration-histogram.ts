import type { Attributes, Meter } from "@opentelemetry/api";
import type { PreAggregatedHistograms } from "../metrics/pre-aggregated-histograms.ts";

/** What the interceptors record durations into: an SDK histogram or a pre-aggregated one. */
export interface DurationHistogram {
  record(value: number, attributes: Attributes): void;
}

export interface DurationHistogramSpec {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly boundaries: readonly number[];
}

/**
 * The histogram `spec` names: in `histograms` when the caller gave one (cheaper per point, read
 * through a MetricReader's `metricProducers`), else the meter's own with the same buckets.
 */
export function durationHistogram(
  meter: Meter,
  scope: string,
  histograms: PreAggregatedHistograms | undefined,
  spec: DurationHistogramSpec,
): DurationHistogram {
  const { name, description, unit, boundaries } = spec;
  if (histograms !== undefined) return histograms.histogram(name, { scope, description, unit, boundaries });
  return meter.createHistogram(name, {
    description,
    unit,
    advice: { explicitBucketBoundaries: [...boundaries] },
  });
}
