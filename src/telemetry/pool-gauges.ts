import { ValueType, type Attributes } from "@opentelemetry/api";
import { hrTime } from "@opentelemetry/core";
import { emptyResource } from "@opentelemetry/resources";
import { AggregationTemporality, DataPointType } from "@opentelemetry/sdk-metrics";
import type { CollectionResult, DataPoint, MetricData, MetricProducer } from "@opentelemetry/sdk-metrics";
import {
  METRIC_TRACEWAY_UPSTREAM_BACKEND_UP,
  METRIC_TRACEWAY_UPSTREAM_IN_FLIGHT,
  METRIC_TRACEWAY_UPSTREAM_QUEUE_LENGTH,
} from "../../interceptors/balancer-entry.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { BackendLabelCache } from "./backend-attributes.ts";
import { BALANCER_SCOPE } from "./balancer-metrics.ts";

/** Something with a current length (the proxy's connection queue). */
export interface QueueLike {
  readonly length: number;
}

/**
 * Which of a pool's series a process reports. `all` in a single process. In a multi-worker
 * instance the primary reports `health` (backend up and transitions: one verdict per instance,
 * which every worker only mirrors, so counting it in each would count it N times) and each worker
 * reports `load` (in-flight requests, its own, summed over the workers by the primary's scrape).
 */
export type PoolFacets = "all" | "health" | "load";

/**
 * The pool counts (backends up, in-flight requests, queue length), read from the pools at
 * collection and handed to every metric reader as a producer. Not observable instruments: the
 * metrics SDK keeps exporting, with cumulative temporality, the last value of every label set an
 * observable instrument ever reported, so a backend or upstream that left would stay in the scrape
 * for the life of the process. Here a collection reports exactly the pools observed now and the
 * backends they hold now.
 */
export class PoolGauges implements MetricProducer {
  readonly #healthPools = new Set<UpstreamPool>();
  readonly #loadPools = new Set<UpstreamPool>();
  readonly #queues = new Map<string, QueueLike>();
  readonly #labels: BackendLabelCache;
  readonly #startTime = hrTime();

  constructor(labels: BackendLabelCache) {
    this.#labels = labels;
  }

  /** Report a pool's backends from the next collection on; returns the function that stops it. */
  observe(pool: UpstreamPool, facets: PoolFacets = "all"): () => void {
    if (facets !== "load") this.#healthPools.add(pool);
    if (facets !== "health") this.#loadPools.add(pool);
    return () => {
      this.#healthPools.delete(pool);
      this.#loadPools.delete(pool);
    };
  }

  /** Report an upstream's connection queue length; returns the function that stops it. */
  observeQueue(upstream: string, queue: QueueLike): () => void {
    this.#queues.set(upstream, queue);
    return () => {
      if (this.#queues.get(upstream) === queue) this.#queues.delete(upstream);
    };
  }

  collect(): Promise<CollectionResult> {
    const endTime = hrTime();
    const up: DataPoint<number>[] = [];
    const inFlight: DataPoint<number>[] = [];
    for (const pool of this.#healthPools) {
      for (const backend of pool.backends) {
        const { attributes } = this.#labels.of(pool.name, backend);
        up.push(this.#point(attributes, pool.isUp(backend) ? 1 : 0, endTime));
      }
    }
    for (const pool of this.#loadPools) {
      for (const backend of pool.backends) {
        const { attributes } = this.#labels.of(pool.name, backend);
        inFlight.push(this.#point(attributes, backend.inFlight, endTime));
      }
    }
    const queued = [...this.#queues].map(([upstream, queue]) =>
      this.#point(this.#labels.upstream(upstream), queue.length, endTime),
    );
    const metrics: MetricData[] = [];
    if (up.length > 0) {
      metrics.push(
        // A count of backends in the `up` state (kube-state-metrics' one series per state, as the
        // semconv's `k8s.*.status` counts do): 1 or 0 per backend, and summed over an upstream it
        // is the number of backends taking traffic. Unit `{backend}`, not `1`, which Prometheus
        // would name `_ratio`.
        upDownCount(
          METRIC_TRACEWAY_UPSTREAM_BACKEND_UP,
          "1 when the backend may take traffic (active check up, not ejected), else 0.",
          "{backend}",
          up,
        ),
      );
    }
    if (inFlight.length > 0) {
      metrics.push(
        upDownCount(
          METRIC_TRACEWAY_UPSTREAM_IN_FLIGHT,
          "Requests currently sent to the backend and not yet finished (its backlog).",
          "{request}",
          inFlight,
        ),
      );
    }
    if (queued.length > 0) {
      metrics.push(
        upDownCount(
          METRIC_TRACEWAY_UPSTREAM_QUEUE_LENGTH,
          "Requests waiting for a backend connection slot (maxConnsPerBackend).",
          "{request}",
          queued,
        ),
      );
    }
    // The reader reports its SDK producer's resource for everything it collects.
    return Promise.resolve({
      resourceMetrics: {
        resource: emptyResource(),
        scopeMetrics: metrics.length > 0 ? [{ scope: { name: BALANCER_SCOPE }, metrics }] : [],
      },
      errors: [],
    });
  }

  #point(attributes: Attributes, value: number, endTime: [number, number]): DataPoint<number> {
    return { startTime: this.#startTime, endTime, attributes, value };
  }
}

/** What an observable up-down counter reports: a non-monotonic sum, cumulative. */
function upDownCount(
  name: string,
  description: string,
  unit: string,
  dataPoints: DataPoint<number>[],
): MetricData {
  return {
    descriptor: { name, description, unit, valueType: ValueType.INT },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: false,
    dataPoints,
  };
}
