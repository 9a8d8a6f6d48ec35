/** Median of a non-empty list; the mean of the two middle values for an even count. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Half the min–max range relative to the median, in percent: how far apart the rounds were.
 * A large spread says the machine was noisy and the row's ratio deserves less trust.
 */
export function spreadPercent(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = median(values);
  if (!(m > 0)) return 0;
  return ((Math.max(...values) - Math.min(...values)) / 2 / m) * 100;
}

/** `value / reference`, or NaN when the reference is missing or zero. */
export function ratio(value: number, reference: number | undefined): number {
  return reference === undefined || !(reference > 0) ? Number.NaN : value / reference;
}
