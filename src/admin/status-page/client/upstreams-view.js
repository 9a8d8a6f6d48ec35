/**
 * Every upstream as a section: a summary line, its canary (when it has one) and its backends.
 * Sections are keyed by upstream name and kept across snapshots; a reload that removes an
 * upstream removes its section.
 */
import { h, setText } from "./dom.js";
import * as fmt from "./format.js";
import { createBackendsTable } from "./backends-table.js";
import { createCanaryPanel } from "./canary-panel.js";

/** @import { UpstreamView } from "../../api-types.ts" */
/** @import { History } from "./history.js" */

/**
 * @param {HTMLElement} container
 * @param {History} history
 */
export function createUpstreamsView(container, history) {
  /** @type {Map<string, ReturnType<typeof createSection>>} */
  const sections = new Map();
  const empty = h("p", { class: "empty" }, "Waiting for the first snapshot…");
  container.append(empty);

  return {
    /**
     * @param {readonly UpstreamView[]} upstreams
     * @param {number} now
     */
    update(upstreams, now) {
      setText(empty, "No upstreams are configured.");
      empty.hidden = upstreams.length > 0;
      const names = new Set(upstreams.map((u) => u.name));
      for (const [name, section] of sections) {
        if (names.has(name)) continue;
        section.element.remove();
        sections.delete(name);
      }
      upstreams.forEach((upstream, i) => {
        let section = sections.get(upstream.name);
        if (section === undefined)
          sections.set(upstream.name, (section = createSection(upstream.name, history)));
        // After the "empty" note; a section already in place is not moved.
        const at = container.children[i + 1] ?? null;
        if (at !== section.element) container.insertBefore(section.element, at);
        section.update(upstream, now);
      });
    },
  };
}

/**
 * @param {string} name
 * @param {History} history
 */
function createSection(name, history) {
  const headingId = `upstream-${name.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const summary = h("p", { class: "summary" });
  const canary = createCanaryPanel();
  const backends = createBackendsTable(name, history);
  const element = h(
    "section",
    { class: "upstream", "data-upstream": name, "aria-labelledby": headingId },
    h("h2", { id: headingId }, name),
    summary,
    backends.element,
    canary.element,
  );
  return {
    element,
    /**
     * @param {UpstreamView} upstream
     * @param {number} now
     */
    update(upstream, now) {
      const up = upstream.backends.filter((b) => b.state === "up").length;
      const rps = upstream.backends.reduce((sum, b) => sum + b.rps, 0);
      const inFlight = upstream.backends.reduce((sum, b) => sum + b.inFlight, 0);
      setText(
        summary,
        `${upstream.strategy} · ${upstream.discovery} discovery · ${up} of ${upstream.backends.length} backends up · ` +
          `${fmt.rate(rps)} requests/s · ${fmt.count(inFlight)} in flight`,
      );
      backends.update(upstream.backends, now);
      canary.update(upstream.canary, now);
    },
  };
}
