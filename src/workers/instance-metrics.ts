import type { CollectionResult } from "@opentelemetry/sdk-metrics";
import {
  cumulativePart,
  labelProcessSeries,
  mergeProcessMetrics,
  processMetricsOf,
  withoutScopes,
  type ProcessMetrics,
} from "../telemetry/metrics-merge.ts";
import type { MetricCollector } from "../telemetry/prometheus-endpoint.ts";
import { RUNTIME_METER_SCOPES } from "../telemetry/runtime-metrics.ts";

/**
 * How long a scrape waits for a worker's metrics. A worker busy with traffic still answers
 * between requests, in milliseconds; one that does not answer is counted with its last answer.
 */
export const WORKER_COLLECT_TIMEOUT_MS = 2000;

/** One worker's answer to a collection. */
export interface WorkerMetrics {
  /** Its slot (1..workers): a replacement takes the slot of the worker it replaces. */
  readonly slot: number;
  /** `undefined` when it did not answer. */
  readonly metrics: ProcessMetrics | undefined;
}

export interface WorkerMetricsSource {
  /** Every running worker's metrics by worker id. */
  collect(timeoutMs: number): Promise<Map<number, WorkerMetrics>>;
}

/** The `worker` label of the primary's own runtime series. */
export const PRIMARY_LABEL = "primary";

/**
 * The instance's one scrape: the primary's own metrics (backend health, discovery) plus every
 * worker's (requests, latency, in-flight), added up point by point, plus what workers that have
 * exited had counted when last collected. So counters and histograms never fall when a worker is
 * replaced; what a killed worker counted after the last scrape before its death is lost.
 *
 * Runtime series (event loop, GC, heap, process CPU and memory: {@link RUNTIME_METER_SCOPES}) are
 * each process's own and are never added up: each process's carry a `worker` label, its slot or
 * `primary`. An exited worker's are dropped; its replacement's start afresh under the same slot,
 * which Prometheus reads as the counter reset of a restarted process.
 */
export class InstanceMetrics implements MetricCollector {
  readonly #own: MetricCollector;
  readonly #workers: WorkerMetricsSource;
  readonly #beforeCollect: () => void;
  readonly #last = new Map<number, ProcessMetrics>();
  /** Workers already retired: an answer of theirs still in flight must not be counted twice. */
  readonly #gone = new Set<number>();
  #retired: ProcessMetrics = [];

  constructor(own: MetricCollector, workers: WorkerMetricsSource, beforeCollect: () => void = () => {}) {
    this.#own = own;
    this.#workers = workers;
    this.#beforeCollect = beforeCollect;
  }

  async collect(): Promise<CollectionResult> {
    this.#beforeCollect();
    const [own, replies] = await Promise.all([
      this.#own.collect(),
      this.#workers.collect(WORKER_COLLECT_TIMEOUT_MS),
    ]);
    const sources: ProcessMetrics[] = [
      labelProcessSeries(processMetricsOf(own.resourceMetrics), RUNTIME_METER_SCOPES, PRIMARY_LABEL),
      this.#retired,
    ];
    for (const [id, { slot, metrics }] of replies) {
      if (this.#gone.has(id)) continue;
      if (metrics !== undefined)
        this.#last.set(id, labelProcessSeries(metrics, RUNTIME_METER_SCOPES, String(slot)));
      const latest = this.#last.get(id);
      if (latest !== undefined) sources.push(latest);
    }
    const merged = mergeProcessMetrics(sources);
    return {
      resourceMetrics: { resource: own.resourceMetrics.resource, scopeMetrics: merged.scopeMetrics },
      errors: [...own.errors, ...merged.errors],
    };
  }

  /** A worker exited: its cumulative series stay in every later scrape, except its runtime series. */
  retire(workerId: number): void {
    this.#gone.add(workerId);
    const last = this.#last.get(workerId);
    this.#last.delete(workerId);
    if (last === undefined) return;
    this.#retired = mergeProcessMetrics([
      this.#retired,
      cumulativePart(withoutScopes(last, RUNTIME_METER_SCOPES)),
    ]).scopeMetrics;
  }
}
