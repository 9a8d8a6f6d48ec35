import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { randomUUID } from "node:crypto";
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import pino from "pino";
import type { Logger } from "pino";
import { prometheusCompatibleHandler } from "traceway/interceptors";
import type { WorkerOptions } from "./options.ts";
import { startRuntimeMetrics } from "./runtime-metrics.ts";

/** Providers, logger and scrape endpoint of the worker. */
export interface WorkerTelemetry {
  readonly tracerProvider: TracerProvider;
  readonly meterProvider: MeterProvider;
  readonly logger: Logger;
  readonly metricsUrl: string;
  /** Stops the scrape endpoint and flushes spans. */
  shutdown(): Promise<void>;
}

/**
 * JSON lines with the seed's fields: timestamp, level, msg, service_name, and trace_id, span_id and
 * trace_flags of the active span (inside a message handler: the interceptor's `process` span).
 */
function createLogger(serviceName: string): Logger {
  return pino({
    base: { service_name: serviceName },
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const span = trace.getSpanContext(context.active());
      if (span === undefined || !trace.isSpanContextValid(span)) return {};
      const flags = span.traceFlags.toString(16).padStart(2, "0");
      return { trace_id: span.traceId, span_id: span.spanId, trace_flags: flags };
    },
  });
}

export async function startTelemetry(options: WorkerOptions): Promise<WorkerTelemetry> {
  // The interceptors make the `process` span active with context.with(); this makes it visible to
  // the logger's mixin (and to any instrumented client the handler calls).
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  const resource = resourceFromAttributes({
    "service.name": options.serviceName,
    "service.instance.id": randomUUID(),
  });
  const spanProcessors: SpanProcessor[] = [];
  if (options.otlp !== "") {
    const url = new URL(options.otlp);
    if (url.pathname === "/") url.pathname = "/v1/traces";
    const exporter = new OTLPTraceExporter({ url: url.toString() });
    spanProcessors.push(new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 }));
  }
  // Parent-based: a sampled producer's trace is always continued.
  const sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
  const tracerProvider = new TracerProvider({ resource, sampler, spanProcessors });
  const prometheus = new PrometheusExporter({ preventServerStart: true });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });
  const stopRuntimeMetrics = startRuntimeMetrics(meterProvider);

  // The OpenTelemetry compatibility names (`_seconds`), as traceway and the Go service serve theirs.
  const scrape = prometheusCompatibleHandler(prometheus);
  const server = createServer((req, res) => {
    if (req.url?.split("?")[0] === "/metrics") scrape(req, res);
    else res.writeHead(404).end("not found\n");
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject).listen(options.metricsPort, options.metricsHost, resolve);
  });
  const { address, port } = server.address() as AddressInfo;
  return {
    tracerProvider,
    meterProvider,
    logger: createLogger(options.serviceName),
    metricsUrl: `http://${address.includes(":") ? `[${address}]` : address}:${port}/metrics`,
    shutdown: async () => {
      stopRuntimeMetrics();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([tracerProvider.shutdown(), meterProvider.shutdown()]);
    },
  };
}
