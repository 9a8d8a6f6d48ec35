/**
 * The event log: every discrete event of the stream (health changes, ejections, discovery
 * changes, config reloads, canary transitions and analyses, operator changes), latest first.
 */
import { h } from "./dom.js";
import * as fmt from "./format.js";

/** @import { StreamEvents } from "../../api-types.ts" */

/** Entries kept; the server replays up to 200 recent events on connect. */
export const LOG_LENGTH = 200;

/**
 * @typedef {object} LogEntry
 * @property {string} key identity, to drop an event a reconnect sends twice
 * @property {string} at
 * @property {string} kind the event name
 * @property {"bad" | "good" | "info"} tone
 * @property {string} upstream
 * @property {string} backend
 * @property {string} text
 */

/**
 * Turns a stream event into a log line; null for events the log does not show (snapshots).
 * @template {keyof StreamEvents} K
 * @param {K} name
 * @param {StreamEvents[K]} data
 * @param {string} id
 * @returns {LogEntry | null}
 */
export function logEntry(name, data, id) {
  const e = /** @type {Partial<StreamEvents>} */ ({ [name]: data });
  // Ids restart with the process, so the time is part of the identity.
  const key = `${id}|${name}|${data.at}`;
  const base = { key, at: data.at, kind: name };
  const line = describe(e);
  return line === null ? null : { ...base, ...line };
}

/**
 * @param {Partial<StreamEvents>} e exactly one event, under its name
 * @returns {{ tone: LogEntry["tone"], upstream: string, backend: string, text: string } | null}
 */
function describe(e) {
  if (e.health) {
    const d = e.health;
    return {
      tone: d.up ? "good" : "bad",
      upstream: d.upstream,
      backend: d.backend,
      text: `${d.up ? "up" : "down"}: ${d.reason}`,
    };
  }
  if (e.ejection) {
    const d = e.ejection;
    return {
      tone: "bad",
      upstream: d.upstream,
      backend: d.backend,
      text: `ejected until ${fmt.time(d.until)}: ${d.reason}`,
    };
  }
  if (e.members) {
    const d = e.members;
    const changes = [...d.added.map((n) => `+${n}`), ...d.removed.map((n) => `−${n}`)].join(" ");
    return { tone: "info", upstream: d.upstream, backend: "", text: `${d.role} set: ${changes}` };
  }
  if (e.reload) {
    const d = e.reload;
    return d.outcome === "applied"
      ? { tone: "good", upstream: d.upstreams.join(", "), backend: "", text: "config applied" }
      : {
          tone: "bad",
          upstream: "",
          backend: "",
          text: `config refused, old one kept: ${d.problems.join("; ")}`,
        };
  }
  if (e.canary) {
    const d = e.canary;
    const tone = d.to === "rolled_back" || d.to === "halted" ? "bad" : d.to === "promoted" ? "good" : "info";
    const text = `canary ${fmt.words(d.from)} → ${fmt.words(d.to)} at step ${d.step + 1} (${d.share}%) by ${d.by}: ${d.reason}`;
    return { tone, upstream: d.upstream, backend: "", text };
  }
  if (e.analysis) {
    const d = e.analysis;
    const tone = d.verdict === "fail" ? "bad" : d.verdict === "pass" ? "good" : "info";
    const numbers = `${fmt.count(d.requests)} requests, ${fmt.count(d.errors)} errors (${fmt.percent(d.errorRate)}), p99 ${fmt.duration(d.p99Ms)}`;
    const text = `analysis ${fmt.words(d.verdict)} at step ${d.step + 1} (${d.share}%): ${numbers}; ${d.reason}`;
    return { tone, upstream: d.upstream, backend: "", text };
  }
  if (e.change) {
    const d = e.change;
    return {
      tone: "info",
      upstream: d.upstream,
      backend: d.backend ?? "",
      text: `${d.who}: ${d.action} ${JSON.stringify(d.change)}`,
    };
  }
  return null;
}

/** @param {HTMLElement} container */
export function createEventLog(container) {
  /** @type {LogEntry[]} */
  const entries = [];
  const keys = new Set();
  const body = h("tbody");
  const empty = h("tr", { class: "empty" }, h("td", { colspan: 5 }, "no events yet"));
  body.append(empty);
  container.append(
    h(
      "div",
      { class: "scroll" },
      h(
        "table",
        { class: "events" },
        h("caption", {}, "Recent events (latest first)"),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["Time", "Event", "Upstream", "Backend", "What happened"].map((n) =>
              h("th", { scope: "col" }, n),
            ),
          ),
        ),
        body,
      ),
    ),
  );
  /** @type {HTMLTableRowElement[]} rows in the order of `entries` */
  const rows = [];
  return {
    /**
     * Adds an event in time order (latest first): a reconnect's replay may bring events older
     * than ones already shown. One already shown is dropped.
     * @param {LogEntry} entry
     */
    add(entry) {
      if (keys.has(entry.key)) return;
      let i = entries.findIndex((e) => e.at <= entry.at); // ISO 8601 UTC: text order is time order
      if (i === -1) i = entries.length;
      if (i === LOG_LENGTH) return; // older than everything kept
      keys.add(entry.key);
      empty.remove();
      const row = logRow(entry);
      body.insertBefore(row, rows[i] ?? null);
      entries.splice(i, 0, entry);
      rows.splice(i, 0, row);
      if (entries.length > LOG_LENGTH) {
        const dropped = entries.pop();
        if (dropped !== undefined) keys.delete(dropped.key);
        rows.pop()?.remove();
      }
    },
  };
}

/** @param {LogEntry} entry */
function logRow(entry) {
  return h(
    "tr",
    { "data-event": entry.kind, class: `tone-${entry.tone}` },
    h("td", { title: entry.at }, fmt.time(entry.at)),
    h("td", {}, entry.kind),
    h("td", {}, entry.upstream),
    h("td", {}, entry.backend),
    h("td", {}, entry.text),
  );
}
