/**
 * A table-cell sparkline on uPlot (loaded as the global `uPlot` from the admin listener's assets):
 * no axes, legend or cursor, y from zero so a flat line at the bottom reads as "nothing".
 * Decorative for assistive technology: the number beside it carries the value.
 */
import { HISTORY_POINTS } from "./history.js";

const WIDTH = 96;
const MIN_WINDOW_S = 30;
const HEIGHT = 22;

/**
 * @param {HTMLElement} target
 * @param {string} colour stroke colour
 * @returns {{ update(t: number[], values: (number | null)[]): void }}
 */
export function createSparkline(target, colour) {
  target.setAttribute("aria-hidden", "true");
  /** @type {uPlot.Options} */
  const options = {
    width: WIDTH,
    height: HEIGHT,
    pxAlign: false,
    cursor: { show: false },
    legend: { show: false },
    select: { show: false, left: 0, top: 0, width: 0, height: 0 },
    padding: [2, 1, 1, 1],
    axes: [{ show: false }, { show: false }],
    scales: {
      // At least the last 30 s and at most the two minutes kept, ending at the newest point:
      // a page opened a moment ago shows a line from the right, not one stretched over the cell.
      x: {
        time: false,
        range: (_u, min, max) => [max - Math.min(HISTORY_POINTS, Math.max(MIN_WINDOW_S, max - min)), max],
      },
      // From just below zero, so a line of zeros is drawn whole rather than half clipped.
      y: { range: (_u, _min, max) => (max > 0 ? [-max * 0.05, max * 1.1] : [-0.05, 1]) },
    },
    series: [{}, { stroke: colour, width: 1.25, fill: `${colour}22`, points: { show: false } }],
  };
  const plot = new uPlot(options, [[], []], target);
  return {
    update(t, values) {
      plot.setData([t, values]);
    },
  };
}
