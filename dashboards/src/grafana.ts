/**
 * A small builder for Grafana dashboard JSON (schemaVersion 41): rows and time-series panels laid out
 * two to a line, every query with its own unit (the panel's default is its first query's; other units
 * become per-query overrides), and every query on the `${datasource}` variable.
 */
export const SCHEMA_VERSION = 41;
const DATASOURCE = { type: "prometheus", uid: "${datasource}" } as const;

/** One PromQL query of a panel. */
export interface Query {
  readonly expr: string;
  readonly legend: string;
  /** A Grafana unit id: s, percentunit, reqps, ops, mps, Bps, bytes, short, none. */
  readonly unit: string;
}

export interface PanelSpec {
  readonly title: string;
  readonly description: string;
  readonly queries: readonly Query[];
  /** Full width instead of half. */
  readonly wide?: boolean;
}

export interface RowSpec {
  readonly title: string;
  readonly panels: readonly PanelSpec[];
}

export interface Variable {
  readonly name: string;
  readonly label: string;
  /** label_values(...) query */
  readonly query: string;
}

export interface DashboardSpec {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly variables: readonly Variable[];
  readonly rows: readonly RowSpec[];
}

const REF_IDS = "ABCDEFGHIJ";

function fieldConfig(queries: readonly Query[]): object {
  const unit = queries[0]?.unit ?? "short";
  const overrides = queries.flatMap((q, i) =>
    q.unit === unit
      ? []
      : [
          {
            matcher: { id: "byFrameRefID", options: REF_IDS[i] },
            properties: [{ id: "unit", value: q.unit }],
          },
        ],
  );
  return { defaults: { unit, custom: { fillOpacity: 10, showPoints: "never" } }, overrides };
}

function panel(spec: PanelSpec, id: number, x: number, y: number): object {
  return {
    id,
    type: "timeseries",
    title: spec.title,
    description: spec.description,
    datasource: DATASOURCE,
    gridPos: { h: 8, w: spec.wide === true ? 24 : 12, x, y },
    fieldConfig: fieldConfig(spec.queries),
    options: {
      legend: { displayMode: "list", placement: "bottom", showLegend: true },
      tooltip: { mode: "multi", sort: "desc" },
    },
    targets: spec.queries.map((q, i) => ({
      refId: REF_IDS[i],
      datasource: DATASOURCE,
      expr: q.expr,
      legendFormat: q.legend,
      range: true,
    })),
  };
}

function variable(v: Variable): object {
  return {
    name: v.name,
    label: v.label,
    type: "query",
    datasource: DATASOURCE,
    query: { query: v.query, refId: `${v.name}-values` },
    definition: v.query,
    includeAll: true,
    multi: true,
    allValue: ".*",
    current: { text: "All", value: "$__all" },
    refresh: 2,
    sort: 1,
  };
}

/** The dashboard's JSON model, ready for `JSON.stringify` and Grafana's file provisioning. */
export function dashboard(spec: DashboardSpec): object {
  const panels: object[] = [];
  let id = 1;
  let y = 0;
  for (const row of spec.rows) {
    panels.push({
      id: id++,
      type: "row",
      title: row.title,
      collapsed: false,
      gridPos: { h: 1, w: 24, x: 0, y },
      panels: [],
    });
    y += 1;
    let x = 0;
    for (const p of row.panels) {
      if (p.wide === true && x !== 0) {
        x = 0;
        y += 8;
      }
      panels.push(panel(p, id++, x, y));
      x += p.wide === true ? 24 : 12;
      if (x >= 24) {
        x = 0;
        y += 8;
      }
    }
    if (x !== 0) y += 8;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ["traceway"],
    timezone: "browser",
    editable: true,
    graphTooltip: 1,
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    time: { from: "now-30m", to: "now" },
    refresh: "10s",
    annotations: { list: [] },
    templating: {
      list: [
        {
          name: "datasource",
          label: "Prometheus",
          type: "datasource",
          query: "prometheus",
          current: {},
          hide: 0,
        },
        ...spec.variables.map(variable),
      ],
    },
    panels,
  };
}
