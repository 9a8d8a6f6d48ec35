/** The one Prometheus HTTP API call `traceway load` needs: an instant query at a given time. */

const QUERY_TIMEOUT_MS = 10_000;

export interface PromSeries {
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

interface QueryResponse {
  status?: string;
  error?: string;
  data?: { resultType?: string; result?: Array<{ metric: Record<string, string>; value: [number, string] }> };
}

export class PrometheusQueryError extends Error {
  override readonly name = "PrometheusQueryError";
}

/** Evaluates `expr` at `timeS` (epoch seconds); a vector result as label sets and values. */
export async function instantQuery(baseUrl: string, expr: string, timeS: number): Promise<PromSeries[]> {
  const body = new URLSearchParams({ query: expr, time: timeS.toFixed(3) });
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/api/v1/query`, {
      method: "POST",
      body,
      signal: AbortSignal.timeout(QUERY_TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code;
    throw new PrometheusQueryError(
      `${baseUrl} did not answer (${cause ?? (error instanceof Error ? error.message : String(error))})`,
    );
  }
  const text = await response.text();
  let parsed: QueryResponse;
  try {
    parsed = JSON.parse(text) as QueryResponse;
  } catch {
    throw new PrometheusQueryError(
      `${baseUrl} answered HTTP ${response.status} without the Prometheus API's JSON`,
    );
  }
  if (parsed.status !== "success") throw new PrometheusQueryError(parsed.error ?? `HTTP ${response.status}`);
  if (parsed.data?.resultType !== "vector")
    throw new PrometheusQueryError(`expected a vector, got ${parsed.data?.resultType ?? "nothing"}`);
  return (parsed.data.result ?? []).map((r) => ({ labels: r.metric, value: Number(r.value[1]) }));
}
