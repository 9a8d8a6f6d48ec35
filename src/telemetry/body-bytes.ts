import type { Attributes, Meter, ObservableResult } from "@opentelemetry/api";
import {
  METRIC_TRACEWAY_REQUEST_BODY_BYTES,
  METRIC_TRACEWAY_RESPONSE_BODY_BYTES,
} from "../../interceptors/balancer-entry.ts";

interface Totals {
  in: number;
  out: number;
}

/**
 * Request and response body byte counters, summed here and read at scrape time: a request then
 * costs one map lookup by label-set identity instead of two SDK `add`s, each of which hashes its
 * labels. Same series as sync counters (cumulative, monotonic, `_total`): a series appears once
 * it has counted a byte.
 */
export class BodyBytes {
  /** Keyed by the frozen, cached label sets of `BackendLabelCache`, so the map stays as small as the backend set. */
  readonly #totals = new Map<Attributes, Totals>();

  constructor(meter: Meter) {
    meter
      .createObservableCounter(METRIC_TRACEWAY_REQUEST_BODY_BYTES, {
        description: "Request body bytes received from clients and forwarded upstream.",
        unit: "By",
      })
      .addCallback((result) => this.#observe(result, "in"));
    meter
      .createObservableCounter(METRIC_TRACEWAY_RESPONSE_BODY_BYTES, {
        description: "Response body bytes streamed from backends to clients.",
        unit: "By",
      })
      .addCallback((result) => this.#observe(result, "out"));
  }

  /** Counts one request's bytes under `attributes`: pass a cached object, never a fresh one. */
  add(attributes: Attributes, bytesIn: number, bytesOut: number): void {
    if (!(bytesIn > 0) && !(bytesOut > 0)) return;
    let totals = this.#totals.get(attributes);
    if (totals === undefined) {
      totals = { in: 0, out: 0 };
      this.#totals.set(attributes, totals);
    }
    if (bytesIn > 0) totals.in += bytesIn;
    if (bytesOut > 0) totals.out += bytesOut;
  }

  #observe(result: ObservableResult, which: keyof Totals): void {
    for (const [attributes, totals] of this.#totals) {
      if (totals[which] > 0) result.observe(totals[which], attributes);
    }
  }
}
