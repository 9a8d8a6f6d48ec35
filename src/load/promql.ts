/**
 * Every PromQL expression `traceway load` sends, in one place. Metric names are matched by regex
 * so that both spellings work: today's JS-exporter names (`http_client_request_duration_count`,
 * `traceway_upstream_retries_total`) and the OpenTelemetry Prometheus-compatibility names with
 * unit suffixes that issue 17 moves to (`http_client_request_duration_seconds_count`).
 * Prometheus anchors `=~` regexes, so `x(_seconds)?_count` matches exactly those two names.
 *
 * Windows are counted as "counter at the end minus counter at the start" (an `offset` by the
 * window's length), not `increase()`, which extrapolates to the window edges; the difference is
 * exact up to the traffic of one scrape interval at each edge. A series born inside the window
 * counts from zero (`or … * 0`).
 */

const CLIENT_DURATION = "http_client_request_duration(_seconds)?";
const RETRIES = "traceway_upstream_retries(_total)?";
const EJECTIONS = "traceway_upstream_backend_ejections(_total)?";
/** The balancer's bounded labels: the configured upstream and the backend's host:port. */
export const UPSTREAM_LABEL = "traceway_upstream";
export const BACKEND_LABEL = "traceway_backend";
const BY = `${UPSTREAM_LABEL}, ${BACKEND_LABEL}`;

/** A selector for the names matching `nameRegex`, narrowed by the user's `--prometheus-match`. */
function selector(nameRegex: string, match: string, extra = ""): string {
  const matchers = [`__name__=~"${nameRegex}"`, match.trim(), extra].filter((m) => m !== "");
  return `{${matchers.join(", ")}}`;
}

function windowIncrease(series: string, by: string, windowMs: number): string {
  const now = `sum by (${by}) (${series})`;
  return `${now} - (sum by (${by}) (${series} offset ${Math.round(windowMs)}ms) or ${now} * 0)`;
}

export interface WindowQueries {
  readonly requests: string;
  readonly errors: string;
  readonly p99Seconds: string;
  readonly retries: string;
  readonly ejections: string;
}

/** The per-backend queries for a window of `windowMs` ending at the query's evaluation time. */
export function windowQueries(match: string, windowMs: number): WindowQueries {
  return {
    requests: windowIncrease(selector(`${CLIENT_DURATION}_count`, match), BY, windowMs),
    // Client semconv: error.type is set on a transport failure and on every 4xx/5xx answer.
    errors: windowIncrease(selector(`${CLIENT_DURATION}_count`, match, 'error_type!=""'), BY, windowMs),
    p99Seconds: `histogram_quantile(0.99, ${windowIncrease(selector(`${CLIENT_DURATION}_bucket`, match), `le, ${BY}`, windowMs)})`,
    retries: windowIncrease(selector(RETRIES, match), BY, windowMs),
    ejections: windowIncrease(selector(EJECTIONS, match), BY, windowMs),
  };
}

/** Newest scrape of traceway's request counter: the data is complete once this passes a window's end. */
export function newestSampleQuery(match: string): string {
  return `max(timestamp(${selector(`${CLIENT_DURATION}_count`, match)}))`;
}

/** Checks at start-up that the matchers parse and says how many traceway series they select. */
export function seriesCountQuery(match: string): string {
  return `count(${selector(`${CLIENT_DURATION}_count`, match)})`;
}
