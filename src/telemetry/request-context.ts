import { createContextKey, trace } from "@opentelemetry/api";
import type { Context } from "@opentelemetry/api";
import { context } from "@opentelemetry/api";
import { traceFlagsHex } from "./trace-flags.ts";

/**
 * Marks the context of one proxied request. The proxy's request handler cannot be wrapped, so the
 * observer attaches the request context with `context.attach` (AsyncLocalStorage `enterWith`),
 * which outlives the request on a keep-alive socket; log lines check this mark so a later line
 * on that socket is not stamped with a finished request's trace.
 */
const REQUEST_OPEN = createContextKey("traceway.request.open");

/** Something whose `open` flag says whether its request is still being served. */
export interface OpenFlag {
  readonly open: boolean;
}

export function withRequestMark(ctx: Context, flag: OpenFlag): Context {
  return ctx.setValue(REQUEST_OPEN, flag);
}

/** A log line's trace context, named as OpenTelemetry names it for non-OTLP logs. */
export interface TraceFields {
  readonly trace_id: string;
  readonly span_id: string;
  readonly trace_flags: string;
}

/** Trace fields for a log line: those of the active span, unless its request already ended. */
export function activeTraceFields(): TraceFields | Record<string, never> {
  const ctx = context.active();
  const flag = ctx.getValue(REQUEST_OPEN) as OpenFlag | undefined;
  if (flag !== undefined && !flag.open) return {};
  const spanContext = trace.getSpanContext(ctx);
  if (spanContext === undefined || !trace.isSpanContextValid(spanContext)) return {};
  return {
    trace_id: spanContext.traceId,
    span_id: spanContext.spanId,
    trace_flags: traceFlagsHex(spanContext.traceFlags),
  };
}
