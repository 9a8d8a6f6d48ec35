import type { Attributes, Meter } from "@opentelemetry/api";
import { METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES } from "../semconv.ts";

/** One attribute set of `messaging.client.consumed.messages` and its running total. */
export interface ConsumedSeries {
  readonly attributes: Attributes;
  count: number;
}

const registries = new WeakMap<Meter, Map<string, ConsumedSeries>>();

/**
 * The consumed-messages counter is an observable counter over plain numbers: a synchronous
 * `Counter.add` per message costs the SDK an attribute hash and a map lookup each time (a fifth of
 * a no-op consumer's CPU), while `count++` costs nothing and the SDK reads the totals once per
 * collection. Prometheus and OTLP see the same monotonic sum either way.
 *
 * Series are shared per meter, not per wrapped consumer, so two consumers (or a consumer re-created
 * after a crash) counting into the same attribute set add up instead of overwriting each other's
 * observation.
 */
export function consumedSeries(meter: Meter, key: string, attributes: Attributes): ConsumedSeries {
  let registry = registries.get(meter);
  if (registry === undefined) {
    const series = new Map<string, ConsumedSeries>();
    registry = series;
    registries.set(meter, series);
    meter
      .createObservableCounter(METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES, {
        description: "Messages delivered to the application's handler.",
        unit: "{message}",
      })
      .addCallback((result) => {
        for (const { count, attributes: observed } of series.values()) {
          if (count > 0) result.observe(count, observed);
        }
      });
  }
  let found = registry.get(key);
  if (found === undefined) {
    found = { attributes, count: 0 };
    registry.set(key, found);
  }
  return found;
}
