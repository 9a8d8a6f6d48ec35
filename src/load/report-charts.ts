/**
 * The HTML report's only script besides uPlot. {@link drawCharts} runs in the browser: report-html.ts
 * inlines its source text (`drawCharts.toString()`), so it must not reach anything outside its own
 * body, and it is type-checked and linted like the rest of the tree. The charts' data is prepared
 * on the Node side ({@link ChartSpec}); this only hands it to uPlot and marks the knee.
 */

/** One chart: a shared x axis and one or more series. */
export interface ChartSpec {
  readonly id: string;
  readonly title: string;
  /** Unit of the y values, shown on the axis. */
  readonly unit: string;
  readonly logY: boolean;
  /** "step": x is the step number, labelled with `xLabels`; "nines": x is -log10(1 - p). */
  readonly xKind: "step" | "nines";
  readonly x: readonly number[];
  readonly xLabels: readonly string[];
  readonly series: ReadonlyArray<{
    readonly label: string;
    readonly color: string;
    readonly values: ReadonlyArray<number | null>;
  }>;
  /** Vertical markers (the knee, the first threshold break) at x values. */
  readonly marks: ReadonlyArray<{ readonly x: number; readonly label: string; readonly color: string }>;
}

// The few browser and uPlot shapes drawCharts uses. The tree is compiled without the DOM library
// (it is a Node program), so they are declared here rather than pulled in globally.
interface Canvas2D {
  save(): void;
  restore(): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
  fillText(text: string, x: number, y: number): void;
  setLineDash(segments: number[]): void;
  strokeStyle: string;
  fillStyle: string;
  lineWidth: number;
  font: string;
}
interface PlotInstance {
  readonly ctx: Canvas2D;
  readonly bbox: { readonly top: number; readonly height: number };
  valToPos(value: number, scale: string, canvasPixels: boolean): number;
}
interface PlotOptions {
  width: number;
  height: number;
  scales: Record<
    string,
    {
      time?: boolean;
      distr?: number;
      range?: (u: PlotInstance, min: number, max: number) => [number, number];
    }
  >;
  axes: Array<{
    label?: string;
    values?: (u: PlotInstance, splits: number[]) => string[];
    splits?: (u: PlotInstance) => number[];
    size?: number;
  }>;
  series: Array<{
    label?: string;
    stroke?: string;
    width?: number;
    points?: { show: boolean; size?: number };
    spanGaps?: boolean;
  }>;
  hooks: { draw: Array<(u: PlotInstance) => void> };
  legend: { show: boolean };
}
type PlotConstructor = new (
  options: PlotOptions,
  data: Array<ReadonlyArray<number | null>>,
  target: unknown,
) => PlotInstance;
interface Page {
  querySelector(selector: string): { clientWidth: number } | null;
}

/** Runs in the page: one uPlot per spec into `#plot-<id>`. */
export function drawCharts(specs: readonly ChartSpec[], UPlot: PlotConstructor, page: Page): void {
  const percentOf = (nines: number): string => {
    const p = 100 - 100 / Math.pow(10, nines);
    return `${Number(p.toFixed(3))}%`;
  };
  for (const spec of specs) {
    const target = page.querySelector(`#plot-${spec.id}`);
    if (target === null) continue;
    const labelFor = (value: number): string =>
      spec.xKind === "nines" ? percentOf(value) : (spec.xLabels[Math.round(value) - 1] ?? "");
    const ticks =
      spec.xKind === "nines" ? [0, 1, 2, 3, 4, 5].filter((n) => n <= Math.max(...spec.x)) : spec.x.slice();
    const marks = spec.marks;
    const options: PlotOptions = {
      width: Math.max(320, target.clientWidth),
      height: 260,
      legend: { show: true },
      scales: {
        x: {
          time: false,
          range: (_u, min, max) => (spec.xKind === "step" ? [min - 0.25, max + 0.25] : [min, max]),
        },
        y: spec.logY ? { distr: 3 } : {},
      },
      axes: [
        { splits: () => ticks, values: (_u, splits) => splits.map(labelFor), size: 40 },
        { label: spec.unit, size: 64 },
      ],
      series: [
        { label: spec.xKind === "nines" ? "percentile" : "step" },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          points: { show: true, size: 6 },
          spanGaps: true,
        })),
      ],
      hooks: {
        draw: [
          (u) => {
            const { ctx } = u;
            marks.forEach((mark, i) => {
              const x = u.valToPos(mark.x, "x", true);
              ctx.save();
              ctx.strokeStyle = mark.color;
              ctx.fillStyle = mark.color;
              ctx.lineWidth = 2;
              ctx.setLineDash([6, 4]);
              ctx.beginPath();
              ctx.moveTo(x, u.bbox.top);
              ctx.lineTo(x, u.bbox.top + u.bbox.height);
              ctx.stroke();
              ctx.font = "bold 12px sans-serif";
              ctx.fillText(mark.label, x + 4, u.bbox.top + 14 + i * 16);
              ctx.restore();
            });
          },
        ],
      },
    };
    new UPlot(options, [spec.x, ...spec.series.map((s) => s.values)], target);
  }
}
