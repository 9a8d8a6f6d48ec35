import type { CollectionResult } from "@opentelemetry/sdk-metrics";
import {
  cumulativePart,
  mergeProcessMetrics,
  processMetricsOf,
  type ProcessMetrics,
} from "../telemetry/metrics-merge.ts";
import type { MetricCollector } from "../telemetry/prometheus-endpoint.ts";

/**
 * How long a scrape waits for a worker's metrics. A worker busy with traffic still answers
 * between requests, in milliseconds; one that does not answer is counted with its last answer.
 */
export const WORKER_COLLECT_TIMEOUT_MS = 2000;

export interface WorkerMetricsSource {
  /** Every running worker's metrics by worker id; `undefined` for one that did not answer. */
  collect(timeoutMs: number): Promise<Map<number, ProcessMetrics | undefined>>;
}

/**
 * The instance's one scrape: the primary's own metrics (backend health, discovery) plus every
 * worker's (requests, latency, in-flight), added up point by point, plus what workers that have
 * exited had counted when last collected. So counters and histograms never fall when a worker is
 * replaced; what a killed worker counted after the last scrape before its death is lost.
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
    const sources: ProcessMetrics[] = [processMetricsOf(own.resourceMetrics), this.#retired];
    for (const [id, metrics] of replies) {
      if (this.#gone.has(id)) continue;
      if (metrics !== undefined) this.#last.set(id, metrics);
      const latest = this.#last.get(id);
      if (latest !== undefined) sources.push(latest);
    }
    const merged = mergeProcessMetrics(sources);
    return {
      resourceMetrics: { resource: own.resourceMetrics.resource, scopeMetrics: merged.scopeMetrics },
      errors: [...own.errors, ...merged.errors],
    };
  }

  /** A worker exited: its cumulative series stay in every later scrape. */
  retire(workerId: number): void {
    this.#gone.add(workerId);
    const last = this.#last.get(workerId);
    this.#last.delete(workerId);
    if (last === undefined) return;
    this.#retired = mergeProcessMetrics([this.#retired, cumulativePart(last)]).scopeMetrics;
  }
}
