import type { Attributes, Counter, Meter, ObservableResult } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_TRACEWAY_DISCOVERY_SOURCE,
  ATTR_TRACEWAY_UPSTREAM,
  METRIC_TRACEWAY_DISCOVERY_BACKENDS,
  METRIC_TRACEWAY_DISCOVERY_ERRORS,
  METRIC_TRACEWAY_DISCOVERY_MALFORMED_VALUES,
  METRIC_TRACEWAY_DISCOVERY_STALE,
  METRIC_TRACEWAY_DISCOVERY_SYNC_AGE,
  METRIC_TRACEWAY_DISCOVERY_UPDATES,
} from "../../interceptors/balancer-entry.ts";
import type { DiscoveryObserver, DiscoverySource } from "../discovery/discovery-observer.ts";
import type { Clock } from "../shared/clock.ts";

interface SourceState {
  readonly attributes: Attributes;
  backends: number;
  /** Only sources that sync (etcd, not the config file) report sync age and staleness. */
  syncs: boolean;
  /** When the source last answered; until it first does, when it was first heard of. */
  lastSyncAt: number;
  stale: boolean;
}

/**
 * Discovery's metrics: counters pushed as things happen, gauges read at scrape time from the last
 * state each upstream reported. Labels are the upstream, the source and the error type only.
 */
export class DiscoveryMetrics implements DiscoveryObserver {
  readonly #clock: Clock;
  readonly #sources = new Map<string, Map<DiscoverySource, SourceState>>();
  readonly #updates: Counter;
  readonly #errors: Counter;
  readonly #malformed: Counter;

  constructor(meter: Meter, clock: Clock) {
    this.#clock = clock;
    meter
      .createObservableGauge(METRIC_TRACEWAY_DISCOVERY_BACKENDS, {
        description: "Backends the upstream's pool has from each discovery source.",
        unit: "{backend}",
      })
      .addCallback((result) => this.#observe(result, (s) => s.backends));
    meter
      .createObservableGauge(METRIC_TRACEWAY_DISCOVERY_SYNC_AGE, {
        description:
          "Seconds since the discovery source last answered (a list, a change or a progress response).",
        unit: "s",
      })
      .addCallback((result) => {
        const now = this.#clock.now();
        this.#observe(result, (s) => (s.syncs ? (now - s.lastSyncAt) / 1000 : undefined));
      });
    // 0/1 per source, so summed, the stale sources: `{source}`, not `1`, which Prometheus names `_ratio`.
    meter
      .createObservableUpDownCounter(METRIC_TRACEWAY_DISCOVERY_STALE, {
        description: "1 while the source is unreachable and the last known backend set is served, else 0.",
        unit: "{source}",
      })
      .addCallback((result) => this.#observe(result, (s) => (s.syncs ? +s.stale : undefined)));
    this.#updates = meter.createCounter(METRIC_TRACEWAY_DISCOVERY_UPDATES, {
      description: "Backend sets applied to an upstream's pool by discovery.",
      unit: "{update}",
    });
    this.#errors = meter.createCounter(METRIC_TRACEWAY_DISCOVERY_ERRORS, {
      description:
        "Failed discovery lists and watches, by error.type (unavailable, timeout, compacted, ...).",
      unit: "{error}",
    });
    this.#malformed = meter.createCounter(METRIC_TRACEWAY_DISCOVERY_MALFORMED_VALUES, {
      description: "Registrations skipped because their value could not be read.",
      unit: "{value}",
    });
  }

  onUpdate(event: { upstream: string; source: DiscoverySource; backends: number }): void {
    const sources = this.#upstream(event.upstream);
    // A set from one source replaces the others' (the cache's, once etcd answers): they read 0.
    for (const state of sources.values()) state.backends = 0;
    const state = this.#state(event.upstream, event.source);
    state.backends = event.backends;
    this.#updates.add(1, state.attributes);
  }

  onSync(event: { upstream: string; source: DiscoverySource }): void {
    const state = this.#state(event.upstream, event.source);
    state.syncs = true;
    state.lastSyncAt = this.#clock.now();
  }

  onError(event: { upstream: string; source: DiscoverySource; errorType: string }): void {
    const state = this.#state(event.upstream, event.source);
    state.syncs = true;
    this.#errors.add(1, { ...state.attributes, [ATTR_ERROR_TYPE]: event.errorType });
  }

  onStale(event: { upstream: string; source: DiscoverySource; stale: boolean }): void {
    const state = this.#state(event.upstream, event.source);
    state.syncs = true;
    state.stale = event.stale;
  }

  onMalformed(event: { upstream: string; source: DiscoverySource }): void {
    this.#malformed.add(1, this.#state(event.upstream, event.source).attributes);
  }

  #observe(result: ObservableResult, value: (state: SourceState) => number | undefined): void {
    for (const sources of this.#sources.values()) {
      for (const state of sources.values()) {
        const v = value(state);
        if (v !== undefined) result.observe(v, state.attributes);
      }
    }
  }

  #upstream(upstream: string): Map<DiscoverySource, SourceState> {
    let sources = this.#sources.get(upstream);
    if (sources === undefined) {
      sources = new Map();
      this.#sources.set(upstream, sources);
    }
    return sources;
  }

  #state(upstream: string, source: DiscoverySource): SourceState {
    const sources = this.#upstream(upstream);
    let state = sources.get(source);
    if (state === undefined) {
      state = {
        attributes: { [ATTR_TRACEWAY_UPSTREAM]: upstream, [ATTR_TRACEWAY_DISCOVERY_SOURCE]: source },
        backends: 0,
        syncs: false,
        lastSyncAt: this.#clock.now(),
        stale: false,
      };
      sources.set(source, state);
    }
    return state;
  }
}
