/** Number formats shared by the progress line, the step table and the HTML report. */

/** Milliseconds with a unit chosen by magnitude: 850 µs, 12.3 ms, 2.05 s. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  if (ms < 1) return `${Math.round(ms * 1000)} µs`;
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? formatCount(perSecond) : perSecond.toFixed(1);
}

export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

/** The load of a step as a user said it: "100 conns" or "5,000 req/s". */
export function formatLevel(mode: "connections" | "rate", level: number): string {
  return mode === "connections" ? `${formatCount(level)} conns` : `${formatRate(level)} req/s`;
}
