/** How numbers and times read on the page. Missing values show as an em dash, never as 0. */

export const NONE = "—";

const clock = new Intl.DateTimeFormat(undefined, {
  hour: "2-digit",
  minute: "2-digit",
  second: "2-digit",
  hour12: false,
});
const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });

/**
 * Local wall-clock time of an ISO timestamp, `14:03:07`.
 * @param {string | null | undefined} iso
 */
export function time(iso) {
  if (iso === null || iso === undefined) return NONE;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? NONE : clock.format(at);
}

/**
 * A latency in milliseconds: `840 ms`, `2.50 s`.
 * @param {number | null | undefined} ms
 */
export function duration(ms) {
  if (ms === null || ms === undefined) return NONE;
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/**
 * Requests per second with a precision that fits its size.
 * @param {number} rps
 */
export function rate(rps) {
  return rps < 10 ? rps.toFixed(1) : integer.format(rps);
}

/** @param {number} n */
export function count(n) {
  return integer.format(n);
}

/**
 * A fraction 0..1 as a percentage, `0.25%`.
 * @param {number | null | undefined} fraction
 */
export function percent(fraction) {
  if (fraction === null || fraction === undefined) return NONE;
  const value = fraction * 100;
  if (value === 0) return "0%";
  return `${value < 1 ? value.toFixed(2) : value < 10 ? value.toFixed(1) : Math.round(value)}%`;
}

/**
 * Seconds from now until an ISO time, `in 12 s`; `now` once it has passed.
 * @param {string} iso
 * @param {number} now
 */
export function until(iso, now) {
  const seconds = Math.ceil((Date.parse(iso) - now) / 1000);
  return seconds > 0 ? `in ${seconds} s` : "now";
}

/**
 * A canary phase as words: `rolled_back` → `rolled back`.
 * @param {string} phase
 */
export function words(phase) {
  return phase.replaceAll("_", " ");
}
