/**
 * Each backend's recent requests per second and p99, one point per snapshot (the stream sends one
 * a second), for the sparklines. Kept in the page only: a reload starts the lines afresh.
 */

/** @import { SnapshotEvent } from "../../api-types.ts" */

/** Two minutes of one-second snapshots. */
export const HISTORY_POINTS = 120;

/**
 * @typedef {object} Series
 * @property {number[]} t snapshot times, epoch seconds
 * @property {number[]} rps
 * @property {(number | null)[]} p99 null where the backend finished no request
 */

/**
 * @param {string} upstream
 * @param {string} backendId
 */
export const seriesKey = (upstream, backendId) => `${upstream} ${backendId}`;

export function createHistory() {
  /** @type {Map<string, Series>} */
  const series = new Map();
  return {
    /**
     * Appends a snapshot's values; forgets backends the snapshot no longer has.
     * @param {SnapshotEvent} snapshot
     */
    record(snapshot) {
      const t = Date.parse(snapshot.at) / 1000;
      const seen = new Set();
      for (const upstream of snapshot.upstreams) {
        for (const backend of upstream.backends) {
          const key = seriesKey(upstream.name, backend.id);
          seen.add(key);
          let s = series.get(key);
          if (s === undefined) series.set(key, (s = { t: [], rps: [], p99: [] }));
          // A repeated snapshot time (the one sent on reconnect) would draw a vertical step.
          if (s.t.at(-1) === t) continue;
          s.t.push(t);
          s.rps.push(backend.rps);
          s.p99.push(backend.p99Ms);
          if (s.t.length > HISTORY_POINTS) {
            s.t.shift();
            s.rps.shift();
            s.p99.shift();
          }
        }
      }
      for (const key of series.keys()) if (!seen.has(key)) series.delete(key);
    },
    /**
     * @param {string} upstream
     * @param {string} backendId
     * @returns {Series | undefined}
     */
    get: (upstream, backendId) => series.get(seriesKey(upstream, backendId)),
  };
}

/** @typedef {ReturnType<typeof createHistory>} History */
