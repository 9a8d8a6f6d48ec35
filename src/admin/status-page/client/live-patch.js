/**
 * Applies a health or ejection event to the last snapshot at once, so a backend that goes down
 * shows on the page as soon as the checker says so rather than with the next snapshot (up to a
 * second later). The next snapshot, the server's word, replaces the patched one.
 */

/** @import { BackendState, BackendView, EjectionEventView, HealthEvent, SnapshotEvent, UpstreamView } from "../../api-types.ts" */

/**
 * The snapshot with the event applied to its backend, or null when the event changes nothing
 * the snapshot shows (an unknown backend, an older event).
 * @param {SnapshotEvent} snapshot
 * @param {{ health: HealthEvent } | { ejection: EjectionEventView }} event
 * @returns {SnapshotEvent | null}
 */
export function patchSnapshot(snapshot, event) {
  const e = "health" in event ? event.health : event.ejection;
  if (Date.parse(e.at) < Date.parse(snapshot.at)) return null; // the snapshot already knows
  let changed = false;
  const upstreams = snapshot.upstreams.map((upstream) => {
    if (upstream.name !== e.upstream) return upstream;
    const backends = upstream.backends.map((backend) => {
      if (backend.name !== e.backend) return backend;
      changed = true;
      return "health" in event
        ? withHealth(backend, event.health.up)
        : withEjection(backend, event.ejection.until);
    });
    return /** @type {UpstreamView} */ ({ ...upstream, backends });
  });
  return changed ? { ...snapshot, upstreams } : null;
}

/**
 * @param {BackendView} b
 * @param {boolean} up
 * @returns {BackendView}
 */
function withHealth(b, up) {
  const health = { ...b.health, active: up ? /** @type {const} */ ("up") : /** @type {const} */ ("down") };
  return { ...b, health, state: stateOf(b.state, health.active, health.passive) };
}

/**
 * @param {BackendView} b
 * @param {string} until
 * @returns {BackendView}
 */
function withEjection(b, until) {
  const health = { ...b.health, passive: /** @type {const} */ ("ejected"), ejectedUntil: until };
  return { ...b, health, state: stateOf(b.state, health.active, health.passive) };
}

/**
 * The one-word state, worst first as the API ranks it; an operator's state wins over health.
 * @param {BackendState} current
 * @param {"up" | "down" | "off"} active
 * @param {"ok" | "ejected"} passive
 * @returns {BackendState}
 */
function stateOf(current, active, passive) {
  if (current === "disabled" || current === "draining") return current;
  if (active === "down") return "down";
  return passive === "ejected" ? "ejected" : "up";
}
