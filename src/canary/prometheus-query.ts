/**
 * Flagger-style metric templates against a Prometheus: the query is rendered with the canary's
 * upstream, its backends and the interval, and must come back as one number.
 */

/** What a template may use. */
export interface TemplateVars {
  readonly upstream: string;
  /** `host:port` of each canary backend. */
  readonly backends: readonly string[];
  readonly intervalMs: number;
}

/**
 * `{{ upstream }}`, `{{ backends }}` (an alternation of the backends' `host:port`, regex-escaped
 * and written for a PromQL string, for `=~`) and `{{ interval }}` (`30s`, a range for `rate()`).
 */
export function renderQuery(template: string, vars: TemplateVars): string {
  const backends =
    vars.backends.length === 0
      ? "^$" // matches no label value: no canary backend, no data
      : vars.backends.map((b) => b.replace(/[.*+?^${}()|[\]\\]/g, "\\\\$&")).join("|");
  const interval = `${Math.max(1, Math.round(vars.intervalMs / 1000))}s`;
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    if (name === "upstream") return vars.upstream;
    if (name === "backends") return backends;
    if (name === "interval") return interval;
    return whole;
  });
}

interface PromResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: unknown };
}

/**
 * Runs an instant query and returns its one value, or null when it has none (an empty vector, NaN:
 * no traffic yet). Throws with a short reason when Prometheus cannot be asked, refuses the query,
 * or answers with several series (aggregate them: `sum(...)`, `max(...)`).
 */
export async function queryPrometheus(
  baseUrl: string,
  query: string,
  timeoutMs: number,
): Promise<number | null> {
  const url = `${baseUrl}/api/v1/query?query=${encodeURIComponent(query)}`;
  let body: PromResponse;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    body = (await response.json()) as PromResponse;
  } catch (error) {
    throw new Error(`Prometheus at ${baseUrl} did not answer: ${(error as Error).message}`, { cause: error });
  }
  if (body.status !== "success")
    throw new Error(`Prometheus refused the query: ${body.error ?? "unknown error"}`);
  const { resultType, result } = body.data ?? {};
  let raw: unknown;
  if (resultType === "scalar" && Array.isArray(result)) raw = result[1];
  else if (resultType === "vector" && Array.isArray(result)) {
    if (result.length === 0) return null;
    if (result.length > 1) throw new Error(`query returned ${result.length} series; aggregate it to one`);
    raw = (result[0] as { value?: unknown[] }).value?.[1];
  } else throw new Error(`query returned a ${String(resultType)}; a vector or scalar is needed`);
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
}
