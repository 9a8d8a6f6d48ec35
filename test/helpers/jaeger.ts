/**
 * Reads traces back from the Jaeger v2 that scripts/jaeger.sh runs (query API on {@link JAEGER_QUERY}),
 * flattened to one plain object per span so tests can assert on names, parents and attributes without
 * walking OTLP's resource → scope → span nesting. See docs/jaeger.md.
 */
import { JAEGER_QUERY } from "./services.ts";
import { waitFor } from "./wait-for.ts";

/** OTLP span kind, by name (OTLP numbers them differently from `@opentelemetry/api`'s SpanKind). */
export type JaegerSpanKind = "unspecified" | "internal" | "server" | "client" | "producer" | "consumer";

/** OTLP status code, by name. */
export type JaegerStatusCode = "unset" | "ok" | "error";

/** One span as stored by Jaeger. */
export interface JaegerSpan {
  /** 32 lowercase hex digits. */
  readonly traceId: string;
  /** 16 lowercase hex digits. */
  readonly spanId: string;
  /** 16 lowercase hex digits, or `undefined` for a root span. */
  readonly parentSpanId: string | undefined;
  readonly name: string;
  readonly kind: JaegerSpanKind;
  /** Span attributes; int64 values are numbers when they fit, else decimal strings. */
  readonly attributes: Record<string, unknown>;
  readonly status: { readonly code: JaegerStatusCode; readonly message: string };
  /** `service.name` of the span's resource. */
  readonly serviceName: string | undefined;
  /** Attributes of the span's resource (service.name, telemetry.sdk.*, ...). */
  readonly resource: Record<string, unknown>;
  /** Name of the instrumentation scope (the tracer name). */
  readonly scopeName: string | undefined;
  /** Start time in nanoseconds since the epoch, as OTLP sends it (a decimal string). */
  readonly startTimeUnixNano: string;
  readonly endTimeUnixNano: string;
}

/** Traces a search returns at most unless told otherwise. */
export const DEFAULT_TRACE_LIMIT = 20;

/** Search criteria for {@link findTraces}; Jaeger requires the service and the time window. */
export interface TraceQuery {
  /** Resource `service.name` of at least one span in the trace. */
  service: string;
  /** Only traces whose spans started at or after this time. */
  startMin: Date;
  /** Only traces whose spans started at or before this time. */
  startMax: Date;
  /** Span name to match (Jaeger calls it the operation). */
  operation?: string;
  /** At most this many traces (default {@link DEFAULT_TRACE_LIMIT}). */
  limit?: number;
}

/**
 * All spans of one trace, or `[]` while Jaeger does not know it (it answers 404 until the trace arrives).
 * @param traceIdHex 32 hex digits, e.g. `span.spanContext().traceId`.
 * @param queryUrl another Jaeger's query API (the stack's); the tests' shared one by default.
 * @throws Error on any other HTTP failure, quoting Jaeger's message.
 */
export async function findTrace(traceIdHex: string, queryUrl = JAEGER_QUERY): Promise<JaegerSpan[]> {
  return query(`/api/v3/traces/${encodeURIComponent(traceIdHex)}`, queryUrl);
}

/**
 * Spans of every trace that matches `criteria`, or `[]` when none does yet.
 * @throws Error on any HTTP failure other than "no traces found", quoting Jaeger's message.
 */
export async function findTraces(criteria: TraceQuery): Promise<JaegerSpan[]> {
  const params = new URLSearchParams({
    "query.service_name": criteria.service,
    // Jaeger parses these as RFC 3339; toISOString() is a valid RFC 3339 form.
    "query.start_time_min": criteria.startMin.toISOString(),
    "query.start_time_max": criteria.startMax.toISOString(),
    // The memory store rejects a search without a positive depth ("search depth must be greater than 0").
    "query.num_traces": String(criteria.limit ?? DEFAULT_TRACE_LIMIT),
  });
  if (criteria.operation !== undefined) params.set("query.operation_name", criteria.operation);
  return query(`/api/v3/traces?${params.toString()}`);
}

/** Options for {@link waitForTrace}. */
export interface WaitForTraceOptions {
  /** Wait until the trace holds at least this many spans (default 1). */
  minSpans?: number;
  /** Give up after this many milliseconds (default 10 000). */
  timeoutMs?: number;
}

/**
 * Polls {@link findTrace} until the trace has `minSpans` spans. Exporters and Jaeger both write
 * asynchronously, so a test that just flushed its spans still has to wait for them to become queryable.
 */
export async function waitForTrace(
  traceIdHex: string,
  options: WaitForTraceOptions = {},
): Promise<JaegerSpan[]> {
  const minSpans = options.minSpans ?? 1;
  return waitFor(
    async () => {
      const spans = await findTrace(traceIdHex);
      return spans.length >= minSpans ? spans : undefined;
    },
    {
      what: `trace ${traceIdHex} with ${minSpans} span(s) in Jaeger`,
      timeoutMs: options.timeoutMs ?? 10_000,
      intervalMs: 200,
    },
  );
}

async function query(path: string, queryUrl = JAEGER_QUERY): Promise<JaegerSpan[]> {
  const response = await fetch(`${queryUrl}${path}`, { signal: AbortSignal.timeout(5000) });
  const text = await response.text();
  // Jaeger answers 404 both for an unknown trace id and for a search without results.
  if (response.status === 404) return [];
  if (!response.ok) throw new Error(`GET ${queryUrl}${path}: HTTP ${response.status}: ${text}`);
  const body = JSON.parse(text) as { result?: OtlpTracesData };
  return flatten(body.result ?? {});
}

// OTLP/JSON as Jaeger's api_v3 gateway writes it (gogo jsonpb): ids in hex, int64 as strings, enums as
// numbers, zero values left out.
interface OtlpTracesData {
  resourceSpans?: Array<{
    resource?: { attributes?: OtlpKeyValue[] };
    scopeSpans?: Array<{ scope?: { name?: string }; spans?: OtlpSpan[] }>;
  }>;
}

interface OtlpSpan {
  traceId?: string;
  spanId?: string;
  parentSpanId?: string;
  name?: string;
  kind?: number | string;
  attributes?: OtlpKeyValue[];
  status?: { code?: number | string; message?: string };
  startTimeUnixNano?: string;
  endTimeUnixNano?: string;
}

interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}

interface OtlpAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  bytesValue?: string;
  arrayValue?: { values?: OtlpAnyValue[] };
  kvlistValue?: { values?: OtlpKeyValue[] };
}

const KINDS: readonly JaegerSpanKind[] = [
  "unspecified",
  "internal",
  "server",
  "client",
  "producer",
  "consumer",
];
const STATUS_CODES: readonly JaegerStatusCode[] = ["unset", "ok", "error"];

function flatten(data: OtlpTracesData): JaegerSpan[] {
  const spans: JaegerSpan[] = [];
  for (const resourceSpans of data.resourceSpans ?? []) {
    const resource = attributeMap(resourceSpans.resource?.attributes);
    const serviceName = resource["service.name"];
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: hexId(span.traceId),
          spanId: hexId(span.spanId),
          parentSpanId:
            span.parentSpanId === undefined || span.parentSpanId === ""
              ? undefined
              : hexId(span.parentSpanId),
          name: span.name ?? "",
          kind: enumName(span.kind, KINDS, "SPAN_KIND_"),
          attributes: attributeMap(span.attributes),
          status: {
            code: enumName(span.status?.code, STATUS_CODES, "STATUS_CODE_"),
            message: span.status?.message ?? "",
          },
          serviceName: typeof serviceName === "string" ? serviceName : undefined,
          resource,
          scopeName: scopeSpans.scope?.name,
          startTimeUnixNano: span.startTimeUnixNano ?? "0",
          endTimeUnixNano: span.endTimeUnixNano ?? "0",
        });
      }
    }
  }
  return spans;
}

/** Accepts both encodings: hex (what Jaeger writes) and base64 (proto3 JSON's default for bytes). */
function hexId(id: string | undefined): string {
  if (id === undefined) return "";
  if (/^[0-9a-fA-F]+$/.test(id) && (id.length === 32 || id.length === 16)) return id.toLowerCase();
  return Buffer.from(id, "base64").toString("hex");
}

function enumName<T extends string>(
  value: number | string | undefined,
  names: readonly T[],
  prefix: string,
): T {
  if (value === undefined) return names[0]!;
  if (typeof value === "number") return names[value] ?? names[0]!;
  const name = value.replace(prefix, "").toLowerCase();
  return names.find((n) => n === name) ?? names[0]!;
}

function attributeMap(attributes: OtlpKeyValue[] | undefined): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const { key, value } of attributes ?? []) map[key] = anyValue(value);
  return map;
}

function anyValue(value: OtlpAnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) {
    const n = Number(value.intValue);
    return Number.isSafeInteger(n) ? n : String(value.intValue);
  }
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.bytesValue !== undefined) return value.bytesValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(anyValue);
  if (value.kvlistValue !== undefined) return attributeMap(value.kvlistValue.values);
  // An AnyValue with no member set (OTLP allows it) has no value to report.
  return undefined;
}
