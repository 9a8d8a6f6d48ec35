import type { Attributes, Counter, Meter, ObservableResult } from "@opentelemetry/api";
import {
  ATTR_TRACEWAY_BACKEND_STATE,
  METRIC_TRACEWAY_UPSTREAM_BACKEND_TRANSITIONS,
  METRIC_TRACEWAY_UPSTREAM_BACKEND_UP,
  METRIC_TRACEWAY_UPSTREAM_IN_FLIGHT,
  METRIC_TRACEWAY_UPSTREAM_QUEUE_LENGTH,
} from "../../interceptors/balancer-entry.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { BackendLabelCache } from "./backend-attributes.ts";

/** Something with a current length (the proxy's connection queue). */
export interface QueueLike {
  readonly length: number;
}

/**
 * Counts read from the pools at scrape time (health, in-flight, queue length) rather than kept
 * in step on the hot path: a scrape costs one walk over the backends, a request costs nothing.
 */
export class PoolMetrics {
  readonly #pools = new Set<UpstreamPool>();
  readonly #queues = new Map<string, QueueLike>();
  readonly #labels: BackendLabelCache;
  readonly #transitions: Counter;
  readonly #stateAttributes = new WeakMap<Attributes, { up: Attributes; down: Attributes }>();

  constructor(meter: Meter, labels: BackendLabelCache) {
    this.#labels = labels;
    // A count of backends in the `up` state (kube-state-metrics' one series per state, as the
    // semconv's `k8s.*.status` counts do): 1 or 0 per backend, and summed over an upstream it is
    // the number of backends taking traffic. Unit `{backend}`, not `1`, which Prometheus would
    // name `_ratio`.
    meter
      .createObservableUpDownCounter(METRIC_TRACEWAY_UPSTREAM_BACKEND_UP, {
        description: "1 when the backend may take traffic (active check up, not ejected), else 0.",
        unit: "{backend}",
      })
      .addCallback((result) => this.#observeUp(result));
    meter
      .createObservableUpDownCounter(METRIC_TRACEWAY_UPSTREAM_IN_FLIGHT, {
        description: "Requests currently sent to the backend and not yet finished (its backlog).",
        unit: "{request}",
      })
      .addCallback((result) => this.#observeInFlight(result));
    meter
      .createObservableUpDownCounter(METRIC_TRACEWAY_UPSTREAM_QUEUE_LENGTH, {
        description: "Requests waiting for a backend connection slot (maxConnsPerBackend).",
        unit: "{request}",
      })
      .addCallback((result) => {
        for (const [upstream, queue] of this.#queues) result.observe(queue.length, labels.upstream(upstream));
      });
    this.#transitions = meter.createCounter(METRIC_TRACEWAY_UPSTREAM_BACKEND_TRANSITIONS, {
      description: "Backend health transitions (active checks and passive ejections), by new state.",
      unit: "{transition}",
    });
  }

  /** Starts reporting a pool; returns the function that stops it. */
  observe(pool: UpstreamPool): () => void {
    this.#pools.add(pool);
    const off = pool.onChange((change) => {
      if (change.type !== "status") return;
      const base = this.#labels.of(pool.name, change.backend).attributes;
      this.#transitions.add(1, change.up ? this.#state(base).up : this.#state(base).down);
    });
    return () => {
      off();
      this.#pools.delete(pool);
    };
  }

  /** Starts reporting an upstream's connection queue length. */
  observeQueue(upstream: string, queue: QueueLike): () => void {
    this.#queues.set(upstream, queue);
    return () => {
      if (this.#queues.get(upstream) === queue) this.#queues.delete(upstream);
    };
  }

  #observeUp(result: ObservableResult): void {
    for (const pool of this.#pools) {
      for (const backend of pool.backends) {
        result.observe(pool.isUp(backend) ? 1 : 0, this.#labels.of(pool.name, backend).attributes);
      }
    }
  }

  #observeInFlight(result: ObservableResult): void {
    for (const pool of this.#pools) {
      for (const backend of pool.backends) {
        result.observe(backend.inFlight, this.#labels.of(pool.name, backend).attributes);
      }
    }
  }

  #state(base: Attributes): { up: Attributes; down: Attributes } {
    let states = this.#stateAttributes.get(base);
    if (states === undefined) {
      states = {
        up: { ...base, [ATTR_TRACEWAY_BACKEND_STATE]: "up" },
        down: { ...base, [ATTR_TRACEWAY_BACKEND_STATE]: "down" },
      };
      this.#stateAttributes.set(base, states);
    }
    return states;
  }
}
