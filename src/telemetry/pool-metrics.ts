import type { Attributes, Counter, Meter } from "@opentelemetry/api";
import {
  ATTR_TRACEWAY_BACKEND_STATE,
  METRIC_TRACEWAY_UPSTREAM_BACKEND_TRANSITIONS,
} from "../../interceptors/balancer-entry.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { BackendLabelCache } from "./backend-attributes.ts";
import type { PoolFacets, PoolGauges, QueueLike } from "./pool-gauges.ts";

export type { PoolFacets, QueueLike };

/**
 * What telemetry reports about pools: the gauges read at collection (pool-gauges.ts: health,
 * in-flight, queue length), which cost a request nothing, and the health transitions counted as
 * they happen.
 */
export class PoolMetrics {
  readonly #gauges: PoolGauges;
  readonly #labels: BackendLabelCache;
  readonly #transitions: Counter;
  readonly #stateAttributes = new WeakMap<Attributes, { up: Attributes; down: Attributes }>();

  constructor(meter: Meter, labels: BackendLabelCache, gauges: PoolGauges) {
    this.#gauges = gauges;
    this.#labels = labels;
    this.#transitions = meter.createCounter(METRIC_TRACEWAY_UPSTREAM_BACKEND_TRANSITIONS, {
      description: "Backend health transitions (active checks and passive ejections), by new state.",
      unit: "{transition}",
    });
  }

  /**
   * Starts reporting a pool (or one facet of it, {@link PoolFacets}); returns the function that
   * stops it (its gauges leave the scrape).
   */
  observe(pool: UpstreamPool, facets: PoolFacets = "all"): () => void {
    const stopGauges = this.#gauges.observe(pool, facets);
    // Transitions are health: counted where the verdicts are made, once per instance.
    if (facets === "load") return stopGauges;
    const off = pool.onChange((change) => {
      if (change.type !== "status") return;
      const base = this.#labels.of(pool.name, change.backend).attributes;
      this.#transitions.add(1, change.up ? this.#state(base).up : this.#state(base).down);
    });
    return () => {
      off();
      stopGauges();
    };
  }

  /** Starts reporting an upstream's connection queue length. */
  observeQueue(upstream: string, queue: QueueLike): () => void {
    return this.#gauges.observeQueue(upstream, queue);
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
