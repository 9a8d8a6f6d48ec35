/**
 * One upstream's backends as a table, one row per backend keyed by its id. Rows are updated in
 * place each snapshot, so their sparklines keep their canvases and a selection survives.
 */
import { h, replaceChildren, setAttr, setText } from "./dom.js";
import * as fmt from "./format.js";
import { createSparkline } from "./sparkline.js";

/** @import { BackendView, BackendState } from "../../api-types.ts" */
/** @import { History } from "./history.js" */

const COLUMNS = [
  "Backend",
  "State",
  "Health",
  "Source",
  "Weight",
  "Effective weight",
  "Traffic share",
  "In flight",
  "Requests/s (10 s)",
  "p99 (10 s)",
  "Errors (1 min)",
];

/** What each state means, for the state cell's tooltip and screen readers. */
const STATE_TEXT = /** @type {Record<BackendState, string>} */ ({
  up: "takes requests",
  ejected: "ejected by passive health",
  down: "failing its active health check",
  draining: "draining: no new requests, in-flight ones finish",
  disabled: "taken out of service by an operator",
});

/**
 * @typedef {object} Cells
 * @property {HTMLElement} name
 * @property {HTMLElement} state
 * @property {HTMLElement} health
 * @property {HTMLElement} source
 * @property {HTMLElement} weight
 * @property {HTMLElement} effective
 * @property {HTMLElement} share
 * @property {HTMLElement} inFlight
 * @property {HTMLElement} rps the number beside the requests/s sparkline
 * @property {HTMLElement} p99 the number beside the p99 sparkline
 * @property {HTMLElement} errors
 */

/** @typedef {{ update(t: number[], values: (number | null)[]): void }} Sparkline */

/**
 * @typedef {object} Row
 * @property {HTMLTableRowElement} tr
 * @property {Cells} cells
 * @property {Sparkline} rps
 * @property {Sparkline} p99
 */

/**
 * @param {string} upstream
 * @param {History} history
 */
export function createBackendsTable(upstream, history) {
  const body = h("tbody");
  const table = h(
    "table",
    { class: "backends" },
    h("caption", {}, `Backends of ${upstream}`),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        COLUMNS.map((name) => h("th", { scope: "col" }, name)),
      ),
    ),
    body,
  );
  /** @type {Map<string, Row>} */
  const rows = new Map();

  return {
    element: h("div", { class: "scroll" }, table),
    /**
     * @param {readonly BackendView[]} backends
     * @param {number} now
     */
    update(backends, now) {
      const ids = new Set(backends.map((b) => b.id));
      for (const [id, row] of rows) {
        if (ids.has(id)) continue;
        row.tr.remove();
        rows.delete(id);
      }
      backends.forEach((backend, i) => {
        let row = rows.get(backend.id);
        if (row === undefined) rows.set(backend.id, (row = createRow(backend)));
        // The API's order (stable first, then canary); a row already in place is not moved.
        if (body.children[i] !== row.tr) body.insertBefore(row.tr, body.children[i] ?? null);
        fillRow(row, backend, now);
        const series = history.get(upstream, backend.id);
        if (series !== undefined) {
          row.rps.update(series.t, series.rps);
          row.p99.update(series.t, series.p99);
        }
      });
    },
  };
}

/**
 * @param {BackendView} backend
 * @returns {Row}
 */
function createRow(backend) {
  /** @param {string} column */
  const td = (column) => h("td", { class: `col-${column}` });
  /** @type {Cells} */
  const cells = {
    name: h("th", { scope: "row", class: "col-name" }),
    state: td("state"),
    health: td("health"),
    source: td("source"),
    weight: td("weight"),
    effective: td("effective"),
    share: td("share"),
    inFlight: td("in-flight"),
    rps: h("span", { class: "value" }),
    p99: h("span", { class: "value" }),
    errors: td("errors"),
  };
  const rpsLine = h("span", { class: "spark" });
  const p99Line = h("span", { class: "spark" });
  const tr = h(
    "tr",
    { "data-backend": backend.name },
    [cells.name, cells.state, cells.health, cells.source, cells.weight, cells.effective, cells.share],
    cells.inFlight,
    h("td", { class: "col-rps" }, cells.rps, rpsLine),
    h("td", { class: "col-p99" }, cells.p99, p99Line),
    cells.errors,
  );
  return {
    tr,
    cells,
    rps: createSparkline(rpsLine, "#0969da"),
    p99: createSparkline(p99Line, "#8250df"),
  };
}

/**
 * @param {Row} row
 * @param {BackendView} b
 * @param {number} now
 */
function fillRow(row, b, now) {
  const c = row.cells;
  setAttr(row.tr, "data-state", b.state);
  setAttr(row.tr, "data-role", b.role);
  fillName(c.name, b);
  fillState(c.state, b.state);
  setText(c.health, healthText(b, now));
  setText(c.source, b.source);
  setText(c.weight, String(b.weight));
  const override = b.override?.weight !== undefined ? " (operator)" : "";
  setText(c.effective, `${round(b.effectiveWeight)}${override}`);
  setText(c.share, fmt.percent(b.trafficShare));
  setText(c.inFlight, fmt.count(b.inFlight));
  setText(c.rps, fmt.rate(b.rps));
  setText(c.p99, fmt.duration(b.p99Ms));
  const m = b.lastMinute;
  setText(c.errors, m.requests === 0 ? fmt.NONE : `${fmt.count(m.errors)} (${fmt.percent(m.errorRate)})`);
}

/**
 * @param {HTMLElement} cell
 * @param {BackendView} b
 */
function fillName(cell, b) {
  const tags = [b.role === "canary" ? "canary" : null, b.backup ? "backup" : null].filter((t) => t !== null);
  const key = `${b.name}|${tags.join(",")}`;
  if (cell.dataset["key"] === key) return;
  cell.dataset["key"] = key;
  replaceChildren(
    cell,
    h("span", { class: "name", title: b.id }, b.name),
    tags.map((tag) => h("span", { class: `tag tag-${tag}` }, tag)),
  );
}

/**
 * @param {HTMLElement} cell
 * @param {BackendState} state
 */
function fillState(cell, state) {
  if (cell.dataset["state"] === state) return;
  cell.dataset["state"] = state;
  replaceChildren(
    cell,
    h(
      "span",
      { class: `state state-${state}`, title: STATE_TEXT[state] },
      h("span", { class: "dot" }),
      state,
    ),
  );
}

/**
 * @param {BackendView} b
 * @param {number} now
 */
function healthText(b, now) {
  const active = b.health.active === "off" ? "no active check" : `active ${b.health.active}`;
  const until = b.health.ejectedUntil;
  const passive =
    b.health.passive === "ejected" && until !== null
      ? `ejected until ${fmt.time(until)} (${fmt.until(until, now)})`
      : `passive ${b.health.passive}`;
  const override = b.override?.draining
    ? " · drained by operator"
    : b.override?.enabled === false
      ? " · disabled by operator"
      : "";
  return `${active} · ${passive}${override}`;
}

/** @param {number} n */
function round(n) {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}
