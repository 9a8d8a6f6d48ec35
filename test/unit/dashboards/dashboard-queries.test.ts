import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { M } from "../../../dashboards/src/metric-names.ts";

// Panels are correct, not only non-empty: checked over the committed JSON of every dashboard.
interface Target {
  readonly refId: string;
  readonly expr: string;
  readonly legendFormat: string;
  readonly datasource: { readonly uid: string };
}
interface Panel {
  readonly type: string;
  readonly title: string;
  readonly datasource?: { readonly uid: string };
  readonly fieldConfig?: {
    defaults: { unit?: string };
    overrides: { matcher: { id: string; options: string }; properties: { id: string; value: string }[] }[];
  };
  readonly targets?: readonly Target[];
}
interface Dashboard {
  readonly schemaVersion: number;
  readonly templating: { list: { name: string; type: string }[] };
  readonly panels: readonly Panel[];
}

const DIR = join(import.meta.dirname, "..", "..", "..", "dashboards");
const files = (await readdir(DIR)).filter((f) => f.endsWith(".json"));
const dashboards = await Promise.all(
  files.map(async (file) => ({
    file,
    json: JSON.parse(await readFile(join(DIR, file), "utf8")) as Dashboard,
  })),
);
const panels = dashboards.flatMap(({ file, json }) =>
  json.panels.filter((p) => p.type !== "row").map((panel) => ({ where: `${file}: "${panel.title}"`, panel })),
);

function unitOf(panel: Panel, refId: string): string | undefined {
  const override = panel.fieldConfig?.overrides.find(
    (o) => o.matcher.id === "byFrameRefID" && o.matcher.options === refId,
  );
  return override?.properties.find((p) => p.id === "unit")?.value ?? panel.fieldConfig?.defaults.unit;
}

const SECONDS_GAUGES = [M.groupTimeLag, M.discoverySyncAge, M.lagMonitorPollAge];
const PER_SECOND = ["reqps", "ops", "mps", "Bps"];

/** The units a query's result may be shown in, read from what it computes. */
function allowedUnits(expr: string): string[] {
  if (expr.includes("histogram_quantile(")) return ["s"]; // every histogram here is a duration
  if (SECONDS_GAUGES.some((m) => expr.includes(m))) return ["s"];
  if (expr.includes(" / ") || expr.includes(M.faultErrorRatio)) return ["percentunit"];
  if (expr.includes(`rate(${M.processCpu}`) || expr.includes(`rate(${M.nodeCpu}`)) return ["percentunit"]; // CPU seconds per second
  if (expr.includes(M.eventLoopUtilization)) return ["percentunit"];
  if (expr.includes(M.eventLoopDelayP99)) return ["s"];
  if (expr.includes(M.nodeRss)) return ["bytes"]; // host-metrics gives process.memory.usage no unit suffix
  if (/rate\([a-z_]*bytes_total/.test(expr)) return ["Bps"];
  if (/rate\(/.test(expr)) return PER_SECOND.filter((u) => u !== "Bps");
  if (expr.includes("_bytes")) return ["bytes"];
  return ["short", "none"];
}

describe("dashboards: current Grafana JSON on a datasource variable", () => {
  it("has four dashboards of schemaVersion 41 or later with a Prometheus datasource variable", () => {
    assert.ok(dashboards.length >= 4);
    for (const { file, json } of dashboards) {
      assert.ok(json.schemaVersion >= 41, `${file}: schemaVersion ${json.schemaVersion}`);
      assert.deepEqual(
        json.templating.list.filter((v) => v.name === "datasource").map((v) => v.type),
        ["datasource"],
        `${file}: a datasource variable`,
      );
    }
  });

  it("runs every panel and query on ${datasource} and labels every series", () => {
    for (const { where, panel } of panels) {
      assert.equal(panel.datasource?.uid, "${datasource}", where);
      for (const t of panel.targets ?? []) {
        assert.equal(t.datasource.uid, "${datasource}", `${where} ${t.refId}`);
        assert.notEqual(t.legendFormat, "", `${where} ${t.refId}: legend`);
      }
    }
  });
});

describe("dashboards: panels are correct, not only non-empty", () => {
  it("gives each query its own unit, from what it computes (seconds as s, ratios as percentunit, rates per second)", () => {
    let checked = 0;
    for (const { where, panel } of panels) {
      for (const t of panel.targets ?? []) {
        const unit = unitOf(panel, t.refId);
        assert.ok(
          allowedUnits(t.expr).includes(unit ?? ""),
          `${where} ${t.refId}: unit ${unit} for ${t.expr}`,
        );
        checked += 1;
      }
    }
    assert.ok(checked >= 40, `${checked} queries`);
  });

  it("reads each lag series once per partition (max by partition) before adding up, whoever many processes publish it", () => {
    for (const metric of [M.groupLag, M.groupTimeLag, M.groupStatus]) {
      for (const { where, panel } of panels) {
        for (const t of panel.targets ?? []) {
          const uses = t.expr.split(`${metric}{`).length - 1;
          const wrapped = [
            ...t.expr.matchAll(new RegExp(`max by \\(([^)]*)\\) \\(${metric}\\{`, "g")),
          ].filter((m) => (m[1] ?? "").includes("messaging_destination_partition_id")).length;
          assert.equal(wrapped, uses, `${where}: every ${metric} inside max by (..., partition)`);
        }
      }
    }
  });

  it("never mixes rate and increase in one panel, and titles say per second or per window to match", () => {
    for (const { where, panel } of panels) {
      const exprs = (panel.targets ?? []).map((t) => t.expr).join(" ");
      const kinds = new Set([...exprs.matchAll(/\b(irate|rate|increase)\(/g)].map((m) => m[1]));
      assert.ok(kinds.size <= 1, `${where}: ${[...kinds].join(" and ")}`);
      if (kinds.has("increase")) assert.match(panel.title, /in the last/, where);
      const perSecond = (panel.targets ?? []).some(
        (t) => unitOf(panel, t.refId) !== undefined && PER_SECOND.includes(unitOf(panel, t.refId) ?? ""),
      );
      if (perSecond) assert.match(panel.title, /per second/, where);
    }
  });

  it("calls traceway's upstream attempts attempts, and its answered requests requests", () => {
    for (const { where, panel } of panels) {
      const exprs = (panel.targets ?? []).map((t) => t.expr).join(" ");
      const attempts = exprs.includes(`${M.tracewayClientDuration}_`) && !exprs.includes(M.retries);
      if (attempts) assert.match(panel.title, /[Aa]ttempt/, `${where} counts attempts`);
      if (exprs.includes(`${M.tracewayServerDuration}_`))
        assert.doesNotMatch(panel.title, /[Aa]ttempt/, where);
    }
  });
});
