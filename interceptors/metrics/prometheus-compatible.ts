import type { IncomingMessage, ServerResponse } from "node:http";
import { diag } from "@opentelemetry/api";
import { PrometheusSerializer } from "@opentelemetry/exporter-prometheus";
import { DataPointType } from "@opentelemetry/sdk-metrics";
import type { CollectionResult, MetricData, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import { prometheusMetricName, prometheusUnit } from "./prometheus-names.ts";
import type { OtlpMetricType } from "./prometheus-names.ts";

/**
 * `metrics` with every instrument renamed by the compatibility rule ({@link prometheusMetricName})
 * and its unit given as the Prometheus word, ready for `PrometheusSerializer`. The data points are
 * shared, not copied: a scrape costs one small object per instrument.
 */
export function toPrometheusCompatible(metrics: ResourceMetrics): ResourceMetrics {
  return {
    resource: metrics.resource,
    scopeMetrics: metrics.scopeMetrics.map((scope) => ({
      scope: scope.scope,
      metrics: scope.metrics.map(renamed),
    })),
  };
}

function renamed(metric: MetricData): MetricData {
  const type = otlpTypeOf(metric);
  const { name, unit } = metric.descriptor;
  const descriptor = {
    ...metric.descriptor,
    name: prometheusMetricName(name, unit, type),
    unit: prometheusUnit(unit, type),
  };
  return { ...metric, descriptor };
}

function otlpTypeOf(metric: MetricData): OtlpMetricType {
  switch (metric.dataPointType) {
    case DataPointType.SUM:
      return metric.isMonotonic ? "monotonic_counter" : "non_monotonic_counter";
    case DataPointType.GAUGE:
      return "gauge";
    default:
      return "histogram";
  }
}

/** Anything that collects metrics on demand: a `PrometheusExporter` built with `preventServerStart`. */
export interface MetricCollector {
  collect(): Promise<CollectionResult>;
}

/** The Prometheus text exposition format's content type (version 0.0.4). */
export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/**
 * Collects `reader` and writes the Prometheus text format with the compatibility names: the names
 * a Collector, the Go SDK or Prometheus' own OTLP receiver would give the same instruments, so one
 * dashboard reads them whichever path they take. Use it in place of the exporter's
 * `getMetricsRequestHandler`.
 *
 * @example
 * ```ts
 * const exporter = new PrometheusExporter({ preventServerStart: true });
 * const scrape = prometheusCompatibleHandler(exporter);
 * createServer((req, res) => (req.url === "/metrics" ? scrape(req, res) : res.writeHead(404).end()));
 * ```
 */
export function prometheusCompatibleHandler(
  reader: MetricCollector,
): (req: IncomingMessage, res: ServerResponse) => void {
  const serializer = new PrometheusSerializer();
  return (req, res) => {
    reader.collect().then(
      ({ resourceMetrics, errors }) => {
        if (errors.length > 0) diag.error("traceway: metrics collection errors", ...errors);
        const body = serializer.serialize(toPrometheusCompatible(resourceMetrics));
        res.writeHead(200, { "content-type": PROMETHEUS_CONTENT_TYPE });
        res.end(req.method === "HEAD" ? undefined : body);
      },
      (err: unknown) => {
        res.writeHead(500, { "content-type": "text/plain" });
        res.end(`# failed to collect metrics: ${String(err)}\n`);
      },
    );
  };
}
