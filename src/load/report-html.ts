/**
 * The self-contained HTML report: uPlot's script and stylesheet, the data and the drawing code
 * are all inlined, so the file opens offline, from a CI artefact or an e-mail, with no CDN.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chartSpecs } from "./chart-specs.ts";
import { formatCount, formatLevel, formatMs, formatPercent, formatRate } from "./format.ts";
import { drawCharts, type ChartSpec } from "./report-charts.ts";
import type { LoadReport, StepResult } from "./types.ts";

const require = createRequire(import.meta.url);

/** uPlot's browser build and stylesheet, read from the installed package. */
function uplotAssets(): { js: string; css: string } {
  return {
    js: readFileSync(require.resolve("uplot/dist/uPlot.iife.min.js"), "utf8"),
    css: readFileSync(require.resolve("uplot/dist/uPlot.min.css"), "utf8"),
  };
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1280px; }
h1 { font-size: 22px; margin: 0 0 4px; } h2 { font-size: 17px; margin: 28px 0 8px; }
.meta { color: #555; } .ok { color: #1a7f37; } .bad { color: #c62828; } .warn { color: #9a6700; }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 3px 10px; border-bottom: 1px solid #ddd; text-align: right; white-space: nowrap; }
th:first-child, td:first-child, td.text { text-align: left; }
tr.knee td { background: #e8f5e9; } tr.broken td { background: #fdecea; }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 16px; }
figure.chart { margin: 0; } figure.chart h3 { font-size: 14px; margin: 0 0 4px; }
`;

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** JSON inside <script>: `<` escaped so no string in the data can close the element. */
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, "\\u003c");

export function renderHtmlReport(report: LoadReport): string {
  const { js, css } = uplotAssets();
  const specs = chartSpecs(report);
  const title = `traceway load: ${report.method} ${report.url}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${css}</style>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml(describeRun(report))}</p>
${summaryHtml(report)}
<h2>Charts</h2>
<div class="charts">
${specs.map(figure).join("\n")}
</div>
<h2>Steps</h2>
${stepTable(report)}
${prometheusTable(report.steps)}
<script>${js}</script>
<script id="chart-data" type="application/json">${scriptJson(specs)}</script>
<script>
(${drawCharts.toString()})(JSON.parse(document.getElementById("chart-data").textContent), uPlot, document);
</script>
</body>
</html>
`;
}

function describeRun(report: LoadReport): string {
  const model =
    report.mode === "connections" ? "closed model (connections)" : "open model (constant arrival rate)";
  const stopped = report.interrupted ? `; stopped early (${report.stoppedBy ?? "interrupted"})` : "";
  return `${model}; ${report.steps.length} of ${report.levels.length} steps of ${report.stepDurationS} s after ${report.warmupS} s warm-up; ${report.workers} worker threads; started ${report.startedAt}${stopped}`;
}

function summaryHtml(report: LoadReport): string {
  const a = report.analysis;
  const knee = report.steps.find((s) => s.step === a.knee);
  const kneeText =
    knee === undefined
      ? `none (${a.kneeReason})`
      : `step ${knee.step} (${formatLevel(knee.mode, knee.level)}), ${formatRate(knee.throughput)} req/s at p99 ${formatMs(knee.latencyMs.p99)}${a.kneeReached ? "" : " (not reached)"}; ${a.kneeReason}`;
  const broken = a.firstThresholdBreak;
  const thresholds =
    report.thresholds.length === 0
      ? "none given"
      : broken === undefined
        ? `<span class="ok">all held at every step</span> (${report.thresholds.map(escapeHtml).join(", ")})`
        : `<span class="bad">first broken at step ${broken.step}: ${broken.expressions.map(escapeHtml).join(", ")}</span>`;
  const saturated =
    a.saturatedSteps.length === 0
      ? "never the limit"
      : `<span class="warn">limited steps ${a.saturatedSteps.join(", ")}; their numbers understate the target</span>`;
  return `<ul id="summary">
<li id="knee"><b>Knee:</b> ${escapeHtml(kneeText)}</li>
<li id="thresholds"><b>Thresholds:</b> ${thresholds}</li>
<li id="generator"><b>Generator:</b> ${saturated}</li>
</ul>`;
}

function figure(spec: ChartSpec): string {
  return `<figure class="chart" data-metric="${spec.id}"><h3>${escapeHtml(spec.title)}</h3><div class="plot" id="plot-${spec.id}"></div></figure>`;
}

function stepTable(report: LoadReport): string {
  const head = [
    "step",
    "load",
    "req/s",
    "p50",
    "p90",
    "p99",
    "p99.9",
    "max",
    "errors",
    "statuses",
    "gen cpu",
    "thresholds",
  ];
  const rows = report.steps.map((s) => {
    const cls = s.step === report.analysis.knee ? "knee" : s.thresholds.some((t) => !t.held) ? "broken" : "";
    const cells = [
      String(s.step),
      formatLevel(s.mode, s.level),
      formatRate(s.throughput),
      formatMs(s.latencyMs.p50),
      formatMs(s.latencyMs.p90),
      formatMs(s.latencyMs.p99),
      formatMs(s.latencyMs.p999),
      formatMs(s.latencyMs.max),
      `${formatCount(s.errors)} (${formatPercent(s.errorRate)})`,
      Object.entries(s.statuses)
        .map(([code, n]) => `${code}×${formatCount(n)}`)
        .join(" "),
      `${Math.round(s.generator.cpuPerCore * 100)}%${s.generator.saturated ? " ⚠" : ""}`,
      s.thresholds.map((t) => `${t.held ? "✓" : "✗"} ${t.expression}`).join(", "),
    ];
    return `<tr class="${cls}">${cells.map((c) => `<td>${escapeHtml(c)}</td>`).join("")}</tr>`;
  });
  return `<table id="steps"><thead><tr>${head.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>${rows.join("")}</tbody></table>`;
}

function prometheusTable(steps: readonly StepResult[]): string {
  if (!steps.some((s) => s.prometheus !== undefined)) return "";
  const rows = steps.flatMap((s) =>
    (s.prometheus?.backends ?? []).map(
      (b) =>
        `<tr><td>${s.step}</td><td class="text">${escapeHtml(b.upstream)}</td><td class="text">${escapeHtml(b.backend)}</td><td>${formatCount(b.requests)}</td><td>${formatCount(b.errors)}</td><td>${b.p99Ms === undefined ? "-" : formatMs(b.p99Ms)}</td><td>${formatCount(b.retries)}</td><td>${formatCount(b.ejections)}</td></tr>`,
    ),
  );
  return `<h2>traceway's view (Prometheus, same windows)</h2>
<table id="backends"><thead><tr><th>step</th><th>upstream</th><th>backend</th><th>requests</th><th>errors</th><th>p99</th><th>retries</th><th>ejections</th></tr></thead><tbody>${rows.join("")}</tbody></table>`;
}
