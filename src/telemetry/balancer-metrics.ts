import type { Counter, Histogram, Meter } from "@opentelemetry/api";
import { HTTP_DURATION_BUCKETS_S } from "../../interceptors/balancer-entry.ts";
import {
  METRIC_TRACEWAY_REQUESTS_REFUSED,
  METRIC_TRACEWAY_UPSTREAM_BACKEND_EJECTIONS,
  METRIC_TRACEWAY_UPSTREAM_QUEUE_WAIT_DURATION,
  METRIC_TRACEWAY_UPSTREAM_RETRIES,
} from "../../interceptors/balancer-entry.ts";
import { BodyBytes } from "./body-bytes.ts";

export const BALANCER_SCOPE = "traceway/balancer";

/** The balancer's own push-style instruments (the pull-style gauges live in pool-metrics.ts). */
export interface BalancerMetrics {
  readonly retries: Counter;
  readonly refused: Counter;
  readonly queueWait: Histogram;
  readonly ejections: Counter;
  /** `traceway.http.{request,response}.body` (bytes). */
  readonly bodyBytes: BodyBytes;
}

export function createBalancerMetrics(meter: Meter): BalancerMetrics {
  return {
    retries: meter.createCounter(METRIC_TRACEWAY_UPSTREAM_RETRIES, {
      description: "Upstream attempts that were resends of a request to another backend.",
      unit: "{attempt}",
    }),
    refused: meter.createCounter(METRIC_TRACEWAY_REQUESTS_REFUSED, {
      description: "Requests answered 503 because the upstream had no healthy backend.",
      unit: "{request}",
    }),
    queueWait: meter.createHistogram(METRIC_TRACEWAY_UPSTREAM_QUEUE_WAIT_DURATION, {
      description: "Time a request waited for a backend connection slot (maxConnsPerBackend).",
      unit: "s",
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_S] },
    }),
    ejections: meter.createCounter(METRIC_TRACEWAY_UPSTREAM_BACKEND_EJECTIONS, {
      description: "Passive-health ejections of a backend (outlier detection / max_fails).",
      unit: "{ejection}",
    }),
    bodyBytes: new BodyBytes(meter),
  };
}
