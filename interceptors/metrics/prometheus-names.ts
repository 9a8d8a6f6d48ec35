/**
 * The OpenTelemetry → Prometheus metric-name rule of the OpenTelemetry "Prometheus and
 * OpenMetrics Compatibility" specification, with suffixes, as the OpenTelemetry Collector, the
 * Prometheus OTLP receiver and the Go SDK exporter apply it (prometheus/otlptranslator,
 * `UnderscoreEscapingWithSuffixes`). The JavaScript Prometheus exporter applies only `_total`, so
 * the same instrument would get another name there than through a Collector; serving through
 * {@link toPrometheusCompatible} gives the one name everywhere.
 */

/** How OTLP types a metric, which decides the `_total` and `_ratio` suffixes. */
export type OtlpMetricType = "monotonic_counter" | "non_monotonic_counter" | "gauge" | "histogram";

/** UCUM units the rule spells out; any other unit outside braces is kept as written. */
const UNIT_WORDS: Readonly<Record<string, string>> = {
  d: "days",
  h: "hours",
  min: "minutes",
  s: "seconds",
  ms: "milliseconds",
  us: "microseconds",
  ns: "nanoseconds",
  By: "bytes",
  KiBy: "kibibytes",
  MiBy: "mebibytes",
  GiBy: "gibibytes",
  TiBy: "tibibytes",
  KBy: "kilobytes",
  MBy: "megabytes",
  GBy: "gigabytes",
  TBy: "terabytes",
  m: "meters",
  V: "volts",
  A: "amperes",
  J: "joules",
  W: "watts",
  g: "grams",
  Cel: "celsius",
  Hz: "hertz",
  // Dimensionless: no word of its own; gauges get `_ratio` below.
  "1": "",
  "%": "percent",
};

/** The denominator of a rate unit (`By/s` → `per_second`), singular. */
const PER_UNIT_WORDS: Readonly<Record<string, string>> = {
  s: "second",
  m: "minute",
  h: "hour",
  d: "day",
  w: "week",
  mo: "month",
  y: "year",
};

const INVALID = /[^a-zA-Z0-9:]+/;

/**
 * The Prometheus name of an OpenTelemetry metric, before the `_bucket`/`_sum`/`_count` a histogram
 * series adds: characters Prometheus does not allow become `_`, the unit follows as a word
 * (`s` → `_seconds`, `By` → `_bytes`, `By/s` → `_bytes_per_second`) unless the name already has
 * that word, a unit in braces (`{request}`) adds nothing, a counter ends in `_total` and a gauge of
 * unit `1` in `_ratio`.
 *
 * @example prometheusMetricName("http.server.request.duration", "s", "histogram") // "http_server_request_duration_seconds"
 */
export function prometheusMetricName(name: string, unit: string, type: OtlpMetricType): string {
  let tokens = name.split(INVALID).filter((token) => token !== "");
  const { main, per } = unitWords(unit);
  if (main !== "" && !tokens.includes(main)) tokens.push(main);
  if (per !== "" && !tokens.includes(per)) tokens.push(per);
  if (type === "monotonic_counter") tokens = [...tokens.filter((t) => t !== "total"), "total"];
  if (unit === "1" && type === "gauge") tokens = [...tokens.filter((t) => t !== "ratio"), "ratio"];
  const joined = tokens.join("_");
  return /^[0-9]/.test(joined) ? `_${joined}` : joined;
}

/**
 * The unit as Prometheus `# UNIT` metadata names it: the same words the name ends with
 * (`seconds`, `bytes_per_second`, `ratio`), or `""` for a count (`{request}`) or no unit.
 */
export function prometheusUnit(unit: string, type: OtlpMetricType): string {
  if (unit === "1") return type === "gauge" ? "ratio" : "";
  const { main, per } = unitWords(unit);
  return main !== "" && per !== "" ? `${main}_${per}` : main || per;
}

function unitWords(unit: string): { main: string; per: string } {
  const slash = unit.indexOf("/");
  const mainUcum = (slash === -1 ? unit : unit.slice(0, slash)).trim();
  const perUcum = slash === -1 ? "" : unit.slice(slash + 1).trim();
  const main = mainUcum === "" || /[{}]/.test(mainUcum) ? "" : cleanUp(UNIT_WORDS[mainUcum] ?? mainUcum);
  const perWord = perUcum === "" || /[{}]/.test(perUcum) ? "" : (PER_UNIT_WORDS[perUcum] ?? perUcum);
  const per = perWord === "" ? "" : cleanUp(`per_${perWord}`);
  return { main, per };
}

/** Makes a unit word fit a metric name: invalid characters become one `_`, none leading or trailing. */
function cleanUp(word: string): string {
  return word
    .split(/[^a-zA-Z0-9:]+/)
    .filter((part) => part !== "")
    .join("_");
}
