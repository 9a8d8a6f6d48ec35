import type { MeterProvider } from "@opentelemetry/api";
import { AggregationTemporality, InstrumentType } from "@opentelemetry/sdk-metrics";
import type { MetricProducer } from "@opentelemetry/sdk-metrics";
import { PreAggregatedHistograms } from "./pre-aggregated-histograms.ts";

/**
 * The parts of an SDK `MeterProvider` this reaches into. The SDK takes metric producers only in
 * a reader's constructor (`metricProducers`) and keeps them in the reader's `_metricProducers`
 * array, which it reads afresh at every collection; it has no public way to add one later.
 */
interface SdkMeterProviderShape {
  readonly _sharedState?: {
    readonly metricCollectors?: unknown;
    readonly viewRegistry?: { readonly _registeredViews?: unknown };
  };
}

interface ReaderShape {
  _metricProducers?: unknown;
  selectAggregationTemporality?(instrumentType: InstrumentType): AggregationTemporality;
}

const byProvider = new WeakMap<object, PreAggregatedHistograms | null>();

/** Every reader of `provider`, or `undefined` when it is not an SDK MeterProvider as known. */
function readersOf(provider: MeterProvider): ReaderShape[] | undefined {
  const state = (provider as SdkMeterProviderShape)._sharedState;
  const collectors = state?.metricCollectors;
  if (!Array.isArray(collectors) || collectors.length === 0) return undefined;
  // A View may rename, re-bucket or drop these histograms; only the SDK's own honour Views.
  const views = state?.viewRegistry?._registeredViews;
  if (!Array.isArray(views) || views.length > 0) return undefined;
  const readers: ReaderShape[] = [];
  for (const collector of collectors as { _metricReader?: ReaderShape }[]) {
    const reader = collector._metricReader;
    if (reader === undefined || !Array.isArray(reader._metricProducers)) return undefined;
    // The pre-aggregated points are cumulative; a delta reader gets the SDK's histograms.
    if (reader.selectAggregationTemporality?.(InstrumentType.HISTOGRAM) !== AggregationTemporality.CUMULATIVE)
      return undefined;
    readers.push(reader);
  }
  return readers;
}

/**
 * The {@link PreAggregatedHistograms} the interceptors record into when their options name none:
 * one per SDK `MeterProvider`, added as a metric producer to every one of its readers (a
 * `PrometheusExporter`, a `PeriodicExportingMetricReader`, ...) the first time it is asked for.
 * So a plain `new MeterProvider({ readers: [new PrometheusExporter()] })` exports them with no
 * set-up. `undefined` when that cannot be done safely (not the SDK's MeterProvider, a View
 * registered, a delta-temporality reader): the interceptors then record into the provider's own
 * histograms, slower per point but with nothing lost. The decision is made before anything is
 * recorded.
 */
export function defaultHistograms(provider: MeterProvider): PreAggregatedHistograms | undefined {
  const known = byProvider.get(provider);
  if (known !== undefined) return known ?? undefined;
  let histograms: PreAggregatedHistograms | null = null;
  try {
    const readers = readersOf(provider);
    if (readers !== undefined) {
      const attached = new PreAggregatedHistograms();
      // A new array rather than a push: the reader may hold the very array its creator passed in
      // (and shares with other readers), which is the creator's, not ours to change.
      for (const reader of readers)
        reader._metricProducers = [...(reader._metricProducers as MetricProducer[]), attached];
      histograms = attached;
    }
  } catch {
    histograms = null;
  }
  byProvider.set(provider, histograms);
  return histograms ?? undefined;
}
