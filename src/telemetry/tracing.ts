import type { MeterProvider } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { Resource } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { TelemetryConfig } from "../config/types.ts";

/** Spans held for export at most; beyond this they are dropped, so a dead collector costs no memory. */
export const DEFAULT_MAX_QUEUE_SIZE = 2048;
export const DEFAULT_MAX_EXPORT_BATCH_SIZE = 512;
export const DEFAULT_SCHEDULED_DELAY_MS = 2000;
/** A slow collector must not hold batches (and their spans) for the SDK's default 30 s. */
export const DEFAULT_EXPORT_TIMEOUT_MS = 5000;

export interface TracingOptions {
  readonly resource: Resource;
  /** Replaces the OTLP exporter (tests use an in-memory one). */
  readonly spanExporter?: SpanExporter;
  readonly maxQueueSize?: number;
  readonly scheduledDelayMillis?: number;
  /** Receives the batch processor's own metrics (`otel.sdk.processor.span.*`: queue size, drops). */
  readonly selfObsMeterProvider?: MeterProvider;
}

/**
 * `traces.otlpEndpoint` is either a collector base URL (`http://jaeger:4318`, like
 * OTEL_EXPORTER_OTLP_ENDPOINT) or the full traces URL; the base form gets `/v1/traces`.
 */
export function tracesUrl(endpoint: string): string {
  const url = new URL(endpoint);
  if (url.pathname === "/" || url.pathname === "") url.pathname = "/v1/traces";
  return url.toString();
}

/**
 * A tracer provider with a parent-based ratio sampler (an incoming sampled trace is always
 * continued) and a bounded batch processor. With traces disabled no span is exported, but sampled
 * incoming traces still propagate with their flags intact. Both samplers must stay parent-based (default
 * delegates) over a ratio or always-off root, reading no attributes: setup.ts tells the HTTP
 * interceptors so (`ownSampler`), and they skip the work such a sampler would throw away.
 */
export function createTracerProvider(
  config: TelemetryConfig["traces"],
  options: TracingOptions,
): TracerProvider {
  if (!config.enabled && options.spanExporter === undefined) {
    return new TracerProvider({
      resource: options.resource,
      sampler: new ParentBasedSampler({ root: new AlwaysOffSampler() }),
    });
  }
  const exporter =
    options.spanExporter ??
    new OTLPTraceExporter({ url: tracesUrl(config.otlpEndpoint), timeoutMillis: DEFAULT_EXPORT_TIMEOUT_MS });
  const maxQueueSize = options.maxQueueSize ?? DEFAULT_MAX_QUEUE_SIZE;
  const processor = new BatchSpanProcessor({
    exporter,
    maxQueueSize,
    maxExportBatchSize: Math.min(DEFAULT_MAX_EXPORT_BATCH_SIZE, maxQueueSize),
    scheduledDelayMillis: options.scheduledDelayMillis ?? DEFAULT_SCHEDULED_DELAY_MS,
    exportTimeoutMillis: DEFAULT_EXPORT_TIMEOUT_MS,
    ...(options.selfObsMeterProvider ? { selfObsMeterProvider: options.selfObsMeterProvider } : {}),
  });
  return new TracerProvider({
    resource: options.resource,
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(config.sampleRatio) }),
    spanProcessors: [processor],
  });
}
