import { randomUUID } from "node:crypto";
import type { Attributes } from "@opentelemetry/api";
import { PrometheusExporter } from "@opentelemetry/exporter-prometheus";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import type { IMetricReader, MetricProducer, ResourceMetrics } from "@opentelemetry/sdk-metrics";
import type { SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import type { DestinationStream, Logger } from "pino";
import { createHttpTelemetry } from "../../interceptors/balancer-entry.ts";
import { PreAggregatedHistograms } from "../../interceptors/balancer-entry.ts";
import { ATTR_TRACEWAY_BACKEND, ATTR_TRACEWAY_UPSTREAM } from "../../interceptors/balancer-entry.ts";
import type { LoggingConfig, TelemetryConfig } from "../config/types.ts";
import type { DiscoveryObserver } from "../discovery/discovery-observer.ts";
import type { HealthEvents } from "../health/upstream-health.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import { noopObserver, type ProxyObserver } from "../proxy/observer.ts";
import { systemClock } from "../shared/clock.ts";
import type { Clock } from "../shared/clock.ts";
import { AccessLog } from "./access-log.ts";
import { BackendLabelCache } from "./backend-attributes.ts";
import { BALANCER_SCOPE, createBalancerMetrics } from "./balancer-metrics.ts";
import { createControlTelemetry, type ControlTelemetry } from "./control-metrics.ts";
import { ensureContextManager } from "./context-manager.ts";
import { DiscoveryMetrics } from "./discovery-metrics.ts";
import { logLayout } from "./log-layout.ts";
import type { LogBindings } from "./log-layout.ts";
import { logOutputs } from "./log-sink.ts";
import { createLogger } from "./logger.ts";
import { PoolGauges } from "./pool-gauges.ts";
import { PoolMetrics } from "./pool-metrics.ts";
import type { PoolFacets, QueueLike } from "./pool-metrics.ts";
import { servePrometheus } from "./prometheus-endpoint.ts";
import type { MetricCollector, PrometheusEndpoint } from "./prometheus-endpoint.ts";
import { TelemetryProxyObserver } from "./proxy-observer.ts";
import { tracewayVersion } from "./service-version.ts";
import { startRuntimeMetrics } from "./runtime-metrics.ts";
import { createTracerProvider } from "./tracing.ts";

/** Test and embedding hooks for {@link startTelemetry}; the CLI passes none. */
export interface TelemetryOptions {
  /** Where log lines go, unbuffered (default stdout through a buffered asynchronous writer). */
  readonly logDestination?: DestinationStream;
  /** Fields on every line of this process, access lines included (a worker's `pid`). */
  readonly logBindings?: LogBindings;
  /** Replaces the OTLP exporter, e.g. an `InMemorySpanExporter`. Exports even if traces are off. */
  readonly spanExporter?: SpanExporter;
  /**
   * Extra metric readers next to the Prometheus one (e.g. a test's manual reader), made from the
   * metric producers every reader needs besides the SDK (the pre-aggregated HTTP histograms).
   */
  readonly metricReaders?: (producers: readonly MetricProducer[]) => readonly IMetricReader[];
  /** Batch span processor queue bound (default 2048). */
  readonly maxQueueSize?: number;
  readonly scheduledDelayMillis?: number;
  /** `service.instance.id`, over `telemetry.serviceInstanceId` (default a random UUID per start). */
  readonly instanceId?: string;
  readonly clock?: Clock;
  /**
   * `false`: no scrape endpoint in this process; its metrics are read through
   * {@link Telemetry.collectMetrics} (a worker of a multi-worker instance, whose primary serves
   * the instance's one endpoint). Default true.
   */
  readonly serveMetrics?: boolean;
  /** What the endpoint serves, made from this process's own collector (a primary adds its workers'). */
  readonly metricsCollector?: (own: MetricCollector) => MetricCollector;
  /** Added to the resource of every span and metric (a worker's `process.pid`). */
  readonly resourceAttributes?: Attributes;
}

/** The running telemetry pipeline. */
export interface Telemetry {
  /** Pass to `startBalancer({ observer })`. */
  readonly observer: ProxyObserver;
  /** JSON logger whose lines carry the active trace_id/span_id. */
  readonly logger: Logger;
  /** Pass to `startBalancer({ healthEvents })`: logs transitions and counts ejections. */
  readonly healthEvents: HealthEvents;
  /** Pass to discovery providers: backends, updates, errors, sync age and staleness per upstream. */
  readonly discoveryObserver: DiscoveryObserver;
  /** Canary and admin API counters (`canaryEvents` for the balancer, `onAdminChange` for the API). */
  readonly control: ControlTelemetry;
  readonly meterProvider: MeterProvider;
  readonly tracerProvider: TracerProvider;
  /**
   * Report a pool's backend health and in-flight gauges (or one of the two, see {@link PoolFacets});
   * returns the function that stops it.
   */
  observePool(pool: UpstreamPool, facets?: PoolFacets): () => void;
  /** Report an upstream's connection-queue length; returns the function that stops it. */
  observeQueue(upstream: string, queue: QueueLike): () => void;
  /** Scrape URL, when `telemetry.prometheus.enabled` (and the endpoint is served here). */
  readonly metricsUrl: string | undefined;
  /** This process's metrics now, as a scrape would see them; `undefined` when Prometheus is off. */
  collectMetrics(): Promise<ResourceMetrics | undefined>;
  /** Flushes pending spans, stops the scrape endpoint, writes every buffered log line. Safe to call twice. */
  shutdown(): Promise<void>;
}

/**
 * Builds the telemetry pipeline from config: Prometheus scrape endpoint, OTLP traces with a
 * parent-based ratio sampler and a bounded queue, pino JSON logs, and the proxy observer.
 *
 * Providers are composed explicitly rather than through `NodeSDK`: NodeSDK registers global
 * providers (only the first registration in a process wins, which breaks several balancers or
 * test suites in one process), reads `OTEL_*` variables over our config, and does not hand back
 * the providers we return here.
 */
export async function startTelemetry(
  config: { readonly telemetry: TelemetryConfig; readonly logging: LoggingConfig },
  options: TelemetryOptions = {},
): Promise<Telemetry> {
  const { telemetry, logging } = config;
  const clock = options.clock ?? systemClock;
  const outputs = logOutputs(options.logDestination);
  const layout = logLayout(logging.format);
  const rootLogger = createLogger(telemetry.serviceName, logging, outputs.prompt);
  // Bindings bypass pino's log formatter: renamed into the layout here, once.
  const logger =
    options.logBindings === undefined
      ? rootLogger
      : rootLogger.child(layout.fields({ ...options.logBindings }));
  // With nothing to export and no access log, per-request telemetry would be pure cost: the
  // proxy then passes trace headers through untouched, like nginx does, and no context manager
  // is installed (AsyncLocalStorage costs every async step of the process once it holds a value).
  const observing = telemetry.prometheus.enabled || telemetry.traces.enabled || logging.accessLog;
  if (observing && !ensureContextManager()) {
    logger.warn("no working OpenTelemetry context manager: log lines will not carry trace ids");
  }
  const version = tracewayVersion();
  const resource = resourceFromAttributes({
    "service.name": telemetry.serviceName,
    // Stable across restarts when the config names it; a fresh UUID per start otherwise.
    "service.instance.id": options.instanceId ?? telemetry.serviceInstanceId ?? randomUUID(),
    ...(version === undefined ? {} : { "service.version": version }),
    ...options.resourceAttributes,
  });

  // The two request-duration histograms are recorded for every request: pre-aggregated, they cost
  // a bucket search instead of the SDK's attribute hashing (about 10 µs of CPU per proxied request
  // on the 2-core bench machine). Every reader gets them as a metric producer.
  const histograms = new PreAggregatedHistograms();
  const labels = new BackendLabelCache();
  const gauges = new PoolGauges(labels);
  const producers: readonly MetricProducer[] = [histograms, gauges];
  const prometheus = telemetry.prometheus.enabled
    ? new PrometheusExporter({ preventServerStart: true, metricProducers: [...producers] })
    : undefined;
  const readers: IMetricReader[] = [...(options.metricReaders?.(producers) ?? [])];
  if (prometheus) readers.push(prometheus);
  const meterProvider = new MeterProvider({ resource, readers });
  // Runtime metrics (event loop, GC, heap, process CPU and memory) only where something reads them.
  const stopRuntimeMetrics = readers.length > 0 ? startRuntimeMetrics(meterProvider) : () => {};
  const tracerProvider = createTracerProvider(telemetry.traces, {
    resource,
    selfObsMeterProvider: meterProvider,
    ...(options.spanExporter ? { spanExporter: options.spanExporter } : {}),
    ...(options.maxQueueSize !== undefined ? { maxQueueSize: options.maxQueueSize } : {}),
    ...(options.scheduledDelayMillis !== undefined
      ? { scheduledDelayMillis: options.scheduledDelayMillis }
      : {}),
  });

  let endpoint: PrometheusEndpoint | undefined;
  if (prometheus && options.serveMetrics !== false) {
    try {
      const collector = options.metricsCollector?.(prometheus) ?? prometheus;
      endpoint = await servePrometheus(collector, telemetry.prometheus);
    } catch (err) {
      stopRuntimeMetrics();
      await meterProvider.shutdown();
      await tracerProvider.shutdown();
      throw err;
    }
  }

  const meter = meterProvider.getMeter(BALANCER_SCOPE);
  const metrics = createBalancerMetrics(meter);
  const poolMetrics = new PoolMetrics(meter, labels, gauges);
  const discoveryObserver = new DiscoveryMetrics(meter, clock);
  const observer: ProxyObserver = !observing
    ? noopObserver
    : new TelemetryProxyObserver({
        // `true`: the provider is createTracerProvider's, whose sampler the interceptors may rely on.
        http: createHttpTelemetry(
          {
            tracerProvider,
            meterProvider,
            clock,
            histograms,
            redactedQueryParameters: telemetry.redactedQueryParameters,
          },
          true,
        ),
        metrics,
        labels,
        accessLog: logging.accessLog
          ? new AccessLog(
              outputs.buffered,
              layout.accessFormatter(telemetry.serviceName, options.logBindings),
            )
          : undefined,
      });

  const healthEvents: HealthEvents = {
    onHealthChange: (e) =>
      logger.warn(
        { upstream: e.upstream, backend: e.backend, reason: e.reason },
        e.up ? "backend up" : "backend down",
      ),
    onEjection: (e) => {
      const ejectedForMs = Math.max(0, Math.round(e.untilMs - clock.now()));
      logger.warn(
        { upstream: e.upstream, backend: e.backend, reason: e.reason, ejected_for_ms: ejectedForMs },
        "backend ejected",
      );
      metrics.ejections.add(1, { [ATTR_TRACEWAY_UPSTREAM]: e.upstream, [ATTR_TRACEWAY_BACKEND]: e.backend });
    },
  };

  let shuttingDown: Promise<void> | undefined;
  return {
    observer,
    logger,
    healthEvents,
    discoveryObserver,
    control: createControlTelemetry(meter, logger),
    meterProvider,
    tracerProvider,
    observePool: (pool, facets) => poolMetrics.observe(pool, facets),
    observeQueue: (upstream, queue) => poolMetrics.observeQueue(upstream, queue),
    metricsUrl: endpoint?.url,
    collectMetrics: async () => (prometheus ? (await prometheus.collect()).resourceMetrics : undefined),
    shutdown: () =>
      (shuttingDown ??= (async () => {
        // Spans first: their flush must not be cut short by anything else stopping.
        const results = await Promise.allSettled([tracerProvider.shutdown()]);
        stopRuntimeMetrics();
        results.push(...(await Promise.allSettled([endpoint?.close(), meterProvider.shutdown()])));
        for (const r of results) {
          if (r.status === "rejected")
            logger.warn({ err: r.reason as unknown }, "telemetry shutdown step failed");
        }
        // Last: every access line of the drained requests is written before the process exits.
        logger.flush();
        await outputs.close();
      })()),
  };
}
