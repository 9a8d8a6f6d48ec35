/**
 * The bridge's metric and attribute names. They follow the Kafka interceptors' `traceway.messaging.kafka.*`
 * naming and use the messaging semconv attributes for topic, partition and group; the one name of
 * their own is the bridge's. (They move into interceptors/semconv.ts, with the allow-list of
 * `traceway.*` names, once that list exists there.)
 */

/** Name of the configured bridge (a bounded set from the config file). */
export const ATTR_TRACEWAY_KAFKA_BRIDGE = "traceway.kafka.bridge";

/** Every dispatch of a message through the balancer, retries included. */
export const METRIC_BRIDGE_DISPATCHED = "traceway.messaging.kafka.bridge.dispatched";
/** Messages the service accepted (2xx). */
export const METRIC_BRIDGE_SUCCEEDED = "traceway.messaging.kafka.bridge.succeeded";
/** Dispatches that failed and are tried again, by `error.type`. */
export const METRIC_BRIDGE_RETRIED = "traceway.messaging.kafka.bridge.retried";
/** Messages written to the dead-letter topic, by `error.type` of their last failure. */
export const METRIC_BRIDGE_DEAD_LETTERED = "traceway.messaging.kafka.bridge.dead_lettered";
/** One dispatch: from handing the request to the upstream to the end of its response. */
export const METRIC_BRIDGE_DISPATCH_DURATION = "traceway.messaging.kafka.bridge.dispatch.duration";
/** Messages taken from Kafka and not yet done (running, waiting for their key, backing off). */
export const METRIC_BRIDGE_IN_FLIGHT = "traceway.messaging.kafka.bridge.in_flight";
/** 1 while fetching from the partition is paused (buffer full, upstream unavailable, stopped). */
export const METRIC_BRIDGE_PARTITION_PAUSED = "traceway.messaging.kafka.bridge.partition.paused";
/** 1 when a message failed its last try with no dead-letter topic: the partition stopped. Alert on it. */
export const METRIC_BRIDGE_PARTITION_STOPPED = "traceway.messaging.kafka.bridge.partition.stopped";
