/**
 * HDR latency histograms in microseconds (3 significant digits, so ±0.1% at any magnitude), as
 * wrk2 and Vegeta keep them. Workers record into their own and ship them to the main thread in
 * HdrHistogram's compressed base64 form, which is also what the JSON report carries, so any
 * HdrHistogram implementation can re-read a step's full distribution.
 */
import {
  build,
  decodeFromCompressedBase64,
  encodeIntoCompressedBase64,
  type Histogram,
} from "hdr-histogram-js";
import type { LatencySummary } from "./types.ts";

export type { Histogram };

/** Percentiles kept per step for the percentile-spectrum chart (log-spaced towards the tail). */
export const SPECTRUM = [0, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999, 100] as const;

export function newHistogram(): Histogram {
  // autoResize: a stall longer than any preset maximum still lands in the histogram.
  return build({ lowestDiscernibleValue: 1, numberOfSignificantValueDigits: 3, autoResize: true });
}

export function encodeHistogram(histogram: Histogram): string {
  return encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  return decodeFromCompressedBase64(encoded, 32, false);
}

const us = (value: number): number => value / 1000;

/** Percentile `p` (0–100) in milliseconds. */
export function percentileMs(histogram: Histogram, p: number): number {
  if (histogram.totalCount === 0) return 0;
  return us(p >= 100 ? histogram.maxValue : histogram.getValueAtPercentile(p));
}

export function summarise(histogram: Histogram): LatencySummary {
  const empty = histogram.totalCount === 0;
  return {
    min: empty ? 0 : us(histogram.minNonZeroValue),
    mean: empty ? 0 : us(histogram.mean),
    stdev: empty ? 0 : us(histogram.stdDeviation),
    p50: percentileMs(histogram, 50),
    p75: percentileMs(histogram, 75),
    p90: percentileMs(histogram, 90),
    p95: percentileMs(histogram, 95),
    p99: percentileMs(histogram, 99),
    p999: percentileMs(histogram, 99.9),
    max: percentileMs(histogram, 100),
  };
}

export function spectrum(histogram: Histogram): Array<readonly [number, number]> {
  return SPECTRUM.map(
    (p) =>
      [
        p,
        p === 0
          ? histogram.totalCount === 0
            ? 0
            : us(histogram.minNonZeroValue)
          : percentileMs(histogram, p),
      ] as const,
  );
}
