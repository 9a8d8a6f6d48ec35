/**
 * An upstream's canary: phase, where it is in its steps, the thresholds, and the analyses and
 * transitions with the numbers that decided each one. Re-rendered only when the canary changed
 * (its `updatedAt` or its newest analysis), not on every snapshot.
 */
import { h, replaceChildren, setText } from "./dom.js";
import * as fmt from "./format.js";

/** @import { CanaryView, AnalysisView, AnalysisCheck, TransitionView } from "../../api-types.ts" */

/** What each phase means, shown under the phase. */
const PHASE_TEXT = {
  progressing: "analysing each interval; a pass moves to the next step",
  paused: "held at this step by an operator; a failed analysis still rolls back",
  awaiting_promotion: "the last step passed; waiting for an operator to promote",
  promoted: "the canary's backends are the stable set",
  rolled_back: "share 0 after failed analyses or an abort; in-flight requests finish",
  halted: "share 0: not enough traffic to decide; never promoted on missing data",
};

export function createCanaryPanel() {
  const element = h("div", { class: "canary" });
  const countdown = h("li");
  let key = "";
  return {
    element,
    /**
     * @param {CanaryView | null} canary
     * @param {number} now
     */
    update(canary, now) {
      element.hidden = canary === null;
      if (canary === null) return;
      // Rebuilt only when the canary changed; the countdown alone moves every second.
      const newKey = [canary.updatedAt, canary.analyses[0]?.at, canary.phase, canary.nextAnalysisAt].join(
        "|",
      );
      if (newKey !== key) {
        key = newKey;
        element.dataset["phase"] = canary.phase;
        replaceChildren(element, ...render(canary, countdown));
      }
      const next = canary.nextAnalysisAt;
      countdown.hidden = next === null;
      if (next !== null) setText(countdown, `next analysis ${fmt.until(next, now)} (${fmt.time(next)})`);
    },
  };
}

/**
 * @param {CanaryView} c
 * @param {HTMLElement} countdown the "next analysis" item, kept across renders
 */
function render(c, countdown) {
  const t = c.thresholds;
  return [
    h(
      "h3",
      {},
      "Canary ",
      h("span", { class: `phase phase-${c.phase}`, "data-phase": c.phase }, fmt.words(c.phase)),
    ),
    h("p", { class: "phase-text" }, PHASE_TEXT[c.phase], c.reason ? ` — ${c.reason}` : ""),
    steps(c),
    h(
      "ul",
      { class: "facts" },
      h("li", {}, "share now ", h("strong", {}, `${c.share}%`)),
      h("li", {}, `step ${c.step + 1} of ${c.steps.length}`),
      h("li", {}, `failed analyses ${c.failures}/${c.failureLimit}`),
      h("li", {}, `idle intervals ${c.idleIntervals}/${c.maxIdleIntervals}`),
      h("li", {}, `interval ${fmt.duration(c.intervalMs)}`),
      h(
        "li",
        {},
        `pass: p99 ≤ ${fmt.duration(t.maxP99Ms)}, errors ≤ ${fmt.percent(t.maxErrorRate)}, ≥ ${t.minRequests} requests`,
      ),
      countdown,
      c.stickiness === null ? null : h("li", {}, `sticky by cookie ${c.stickiness.cookie}`),
      c.header === null ? null : h("li", {}, `header ${c.header} forces a side`),
    ),
    h("div", { class: "scroll" }, analysesTable(c.analyses)),
    h("div", { class: "scroll" }, transitionsTable(c.transitions)),
  ];
}

/**
 * The steps as an ordered list: done, current, to come.
 * @param {CanaryView} c
 */
function steps(c) {
  const finished = c.phase === "promoted";
  return h(
    "ol",
    { class: "steps", "aria-label": "Canary steps, percent of traffic" },
    c.steps.map((share, i) => {
      const state = finished || i < c.step ? "done" : i === c.step ? "current" : "todo";
      return h(
        "li",
        { class: `step-${state}`, "aria-current": state === "current" ? "step" : null },
        `${share}%`,
      );
    }),
  );
}

/** @param {readonly AnalysisView[]} analyses */
function analysesTable(analyses) {
  const head = ["Time", "Step", "Verdict", "Requests", "Errors", "Error rate", "p99", "Checks", "Reason"];
  return h(
    "table",
    { class: "analyses" },
    h("caption", {}, "Analysis history (latest first)"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        head.map((name) => h("th", { scope: "col" }, name)),
      ),
    ),
    h(
      "tbody",
      {},
      analyses.length === 0
        ? h("tr", {}, h("td", { colspan: head.length, class: "empty" }, "no analysis yet"))
        : analyses.map((a) =>
            h(
              "tr",
              { "data-verdict": a.verdict },
              h("td", { title: a.at }, fmt.time(a.at)),
              h("td", {}, `${a.step + 1} (${a.share}%)`),
              h("td", {}, h("span", { class: `verdict verdict-${a.verdict}` }, fmt.words(a.verdict))),
              h("td", { class: "num" }, fmt.count(a.requests)),
              h("td", { class: "num" }, fmt.count(a.errors)),
              h("td", { class: "num" }, fmt.percent(a.errorRate)),
              h("td", { class: "num" }, fmt.duration(a.p99Ms)),
              h("td", {}, a.checks.map(checkText).join("; ")),
              h("td", {}, a.reason),
            ),
          ),
    ),
  );
}

/**
 * `✗ p99 2.50 s (max 2.00 s)`: the mark first, so a failed check stands out in the row; the
 * built-in metrics in their units, a Prometheus metric as its query returned it.
 * @param {AnalysisCheck} check
 */
function checkText(check) {
  /** @param {number} n */
  const show = (n) =>
    check.name === "p99" ? fmt.duration(n) : check.name === "error_rate" ? fmt.percent(n) : String(round(n));
  const value = check.value === null ? "no data" : show(check.value);
  const bounds = [
    check.min === undefined ? "" : `min ${show(check.min)}`,
    check.max === undefined ? "" : `max ${show(check.max)}`,
  ];
  const bound = bounds.filter((b) => b !== "").join(", ");
  const mark = check.ok === null ? "?" : check.ok ? "✓" : "✗";
  const error = check.error === undefined ? "" : `: ${check.error}`;
  return `${mark} ${check.name} ${value}${bound === "" ? "" : ` (${bound})`}${error}`;
}

/** @param {number} n */
function round(n) {
  return Number.isInteger(n) ? n : Number(n.toPrecision(4));
}

/** @param {readonly TransitionView[]} transitions */
function transitionsTable(transitions) {
  const head = ["Time", "From", "To", "Step (share after)", "By", "Reason"];
  return h(
    "table",
    { class: "transitions" },
    h("caption", {}, "Transitions (latest first)"),
    h(
      "thead",
      {},
      h(
        "tr",
        {},
        head.map((name) => h("th", { scope: "col" }, name)),
      ),
    ),
    h(
      "tbody",
      {},
      transitions.length === 0
        ? h("tr", {}, h("td", { colspan: head.length, class: "empty" }, "none yet"))
        : transitions.map((t) =>
            h(
              "tr",
              { "data-to": t.to },
              h("td", { title: t.at }, fmt.time(t.at)),
              h("td", {}, fmt.words(t.from)),
              h("td", {}, h("span", { class: `phase phase-${t.to}` }, fmt.words(t.to))),
              h("td", {}, `${t.step + 1} (${t.share}%)`),
              h("td", {}, t.by),
              h("td", {}, t.reason),
            ),
          ),
    ),
  );
}
