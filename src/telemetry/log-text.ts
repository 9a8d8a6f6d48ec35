/**
 * Pieces of hand-built JSON log lines (the access line is built without pino: 0.3 µs a line
 * against pino's 4 µs on the bench machine, see bench/log-destinations.ts).
 */

/** Distinct strings kept: access-line values come from the config (routes, upstreams, backends). */
const MAX_QUOTED = 4096;
const quoted = new Map<string, string>();

/** `JSON.stringify(text)`, remembered: the same few route, upstream and backend names recur. */
export function jsonString(text: string): string {
  let json = quoted.get(text);
  if (json === undefined) {
    // Method tokens come from clients; a flood of odd ones must not grow the map without end.
    if (quoted.size >= MAX_QUOTED) quoted.clear();
    json = JSON.stringify(text);
    quoted.set(text, json);
  }
  return json;
}

let lastMs = Number.NaN;
let lastIso = "";

/** The current time as ISO 8601 (UTC, ms), formatted once per millisecond however many lines share it. */
export function isoNow(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastIso = new Date(now).toISOString();
  }
  return lastIso;
}

/** A number as JSON: a measurement that went wrong (NaN, Infinity) is written as 0, never as invalid JSON. */
export function jsonNumber(value: number): number {
  return Number.isFinite(value) ? value : 0;
}

/** `,"k1":v1,"k2":v2` for fields fixed for the process's life (formatted once, not per line). */
export function fixedFields(fields: Readonly<Record<string, unknown>>): string {
  let out = "";
  for (const [key, value] of Object.entries(fields))
    if (value !== undefined) out += `,${JSON.stringify(key)}:${JSON.stringify(value)}`;
  return out;
}

/** `,"name":"value"` for a string value that may be absent (then nothing): `prefix` is `,"name":`. */
export function optionalField(prefix: string, value: string | undefined): string {
  return value === undefined ? "" : prefix + jsonString(value);
}
