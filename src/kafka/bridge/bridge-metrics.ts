import type {
  Attributes,
  BatchObservableCallback,
  Counter,
  Histogram,
  Meter,
  UpDownCounter,
} from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  HTTP_DURATION_BUCKETS_S,
  ATTR_TRACEWAY_KAFKA_BRIDGE,
  METRIC_TRACEWAY_KAFKA_BRIDGE_DEAD_LETTERED as METRIC_BRIDGE_DEAD_LETTERED,
  METRIC_TRACEWAY_KAFKA_BRIDGE_DISPATCH_DURATION as METRIC_BRIDGE_DISPATCH_DURATION,
  METRIC_TRACEWAY_KAFKA_BRIDGE_DISPATCHED as METRIC_BRIDGE_DISPATCHED,
  METRIC_TRACEWAY_KAFKA_BRIDGE_IN_FLIGHT as METRIC_BRIDGE_IN_FLIGHT,
  METRIC_TRACEWAY_KAFKA_BRIDGE_PARTITION_PAUSED as METRIC_BRIDGE_PARTITION_PAUSED,
  METRIC_TRACEWAY_KAFKA_BRIDGE_PARTITION_STOPPED as METRIC_BRIDGE_PARTITION_STOPPED,
  METRIC_TRACEWAY_KAFKA_BRIDGE_RETRIED as METRIC_BRIDGE_RETRIED,
  METRIC_TRACEWAY_KAFKA_BRIDGE_SUCCEEDED as METRIC_BRIDGE_SUCCEEDED,
} from "../../../interceptors/balancer-entry.ts";

/** The bridges' instruments, made once per process and shared by every bridge. */
export interface BridgeInstruments {
  readonly meter: Meter;
  readonly dispatched: Counter;
  readonly succeeded: Counter;
  readonly retried: Counter;
  readonly deadLettered: Counter;
  readonly duration: Histogram;
  readonly inFlight: UpDownCounter;
  /** 0/1 per partition, so summed, the partitions in the state (unit `1` would read as `_ratio`). */
  readonly paused: ReturnType<Meter["createObservableUpDownCounter"]>;
  readonly stopped: ReturnType<Meter["createObservableUpDownCounter"]>;
}

export function createBridgeInstruments(meter: Meter): BridgeInstruments {
  return {
    meter,
    dispatched: meter.createCounter(METRIC_BRIDGE_DISPATCHED, {
      description: "Dispatches of Kafka messages through the balancer, retries included.",
      unit: "{dispatch}",
    }),
    succeeded: meter.createCounter(METRIC_BRIDGE_SUCCEEDED, {
      description: "Kafka messages the service accepted with a 2xx.",
      unit: "{message}",
    }),
    retried: meter.createCounter(METRIC_BRIDGE_RETRIED, {
      description: "Dispatches that failed and will be tried again, by error.type.",
      unit: "{dispatch}",
    }),
    deadLettered: meter.createCounter(METRIC_BRIDGE_DEAD_LETTERED, {
      description: "Kafka messages written to the dead-letter topic, by error.type of the last failure.",
      unit: "{message}",
    }),
    duration: meter.createHistogram(METRIC_BRIDGE_DISPATCH_DURATION, {
      description: "Duration of one dispatch through the balancer, to the end of the response.",
      unit: "s",
      advice: { explicitBucketBoundaries: [...HTTP_DURATION_BUCKETS_S] },
    }),
    inFlight: meter.createUpDownCounter(METRIC_BRIDGE_IN_FLIGHT, {
      description: "Kafka messages taken by the bridge and not yet delivered or dead-lettered.",
      unit: "{message}",
    }),
    paused: meter.createObservableUpDownCounter(METRIC_BRIDGE_PARTITION_PAUSED, {
      description:
        "1 while fetching from the partition is paused (buffer full, upstream unavailable, stopped).",
      unit: "{partition}",
    }),
    stopped: meter.createObservableUpDownCounter(METRIC_BRIDGE_PARTITION_STOPPED, {
      description:
        "1 when a message failed its last try and there is no dead-letter topic: the partition stopped.",
      unit: "{partition}",
    }),
  };
}

/** What the partition gauges read. */
export interface PartitionGauge {
  readonly attributes: Attributes;
  readonly paused: boolean;
  readonly stopped: boolean;
}

/**
 * One partition's label sets, built once: the counters of a busy bridge then cost no object per
 * message. Labels are bounded: bridge (config), topic (config), partition, group, error.type.
 */
export class PartitionLabels {
  readonly attributes: Attributes;
  readonly #byError = new Map<string, Attributes>();

  constructor(bridge: string, group: string, topic: string, partition: number) {
    this.attributes = Object.freeze({
      [ATTR_TRACEWAY_KAFKA_BRIDGE]: bridge,
      [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: group,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    });
  }

  /** The partition's labels plus `error.type` (status codes and TRACEWAY_ERR_* codes: bounded). */
  withError(errorType: string): Attributes {
    let attributes = this.#byError.get(errorType);
    if (attributes === undefined) {
      attributes = Object.freeze({ ...this.attributes, [ATTR_ERROR_TYPE]: errorType });
      this.#byError.set(errorType, attributes);
    }
    return attributes;
  }
}

/** Registers the partition gauges of one bridge; returns the function that removes them. */
export function observePartitions(
  instruments: BridgeInstruments,
  partitions: () => Iterable<PartitionGauge>,
): () => void {
  const callback: BatchObservableCallback = (result) => {
    for (const p of partitions()) {
      result.observe(instruments.paused, p.paused ? 1 : 0, p.attributes);
      result.observe(instruments.stopped, p.stopped ? 1 : 0, p.attributes);
    }
  };
  const observables = [instruments.paused, instruments.stopped];
  instruments.meter.addBatchObservableCallback(callback, observables);
  return () => instruments.meter.removeBatchObservableCallback(callback, observables);
}
