import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_OPERATION_TYPE_PROCESS,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { withIdentity } from "./client-identity.ts";
import type { ClientIdentity } from "./client-identity.ts";
import { consumedSeries } from "./consumed-messages.ts";
import type { ConsumedSeries } from "./consumed-messages.ts";
import type { FetchLag, PartitionPosition } from "./fetch-lag.ts";
import { errorTypeOf } from "./kafka-telemetry.ts";
import type { KafkaTelemetry } from "./kafka-telemetry.ts";
import { TimestampReader } from "./message-timestamp.ts";

/**
 * Everything per-message recording needs that depends only on (topic, partition, client
 * identity), built once. Metric points are looked up by the identity of their attributes object,
 * so building it per message would cost an allocation and, in the SDK, a hash.
 */
export interface PartitionTelemetry {
  readonly topic: string;
  readonly partition: number;
  /** The group and broker this entry's attributes were built with. */
  readonly identity: ClientIdentity;
  /** Attributes of every per-message metric point (the same object each time). */
  readonly metricAttributes: Attributes;
  readonly spanName: string;
  /** The message-independent attributes of a `process` span (the sampling-relevant ones first). */
  readonly spanAttributes: Attributes;
  /** `undefined` when `@opentelemetry/instrumentation-kafkajs` owns that counter. */
  readonly consumed: ConsumedSeries | undefined;
  readonly position: PartitionPosition;
  /** Parses the partition's message timestamps, each run of equal ones once. */
  readonly timestamps: TimestampReader;
  /** `metricAttributes` plus `error.type`, by error type. */
  readonly failedAttributes: Map<string, Attributes>;
}

export interface PartitionTelemetryDeps {
  readonly telemetry: KafkaTelemetry;
  readonly fetchLag: FetchLag;
  readonly partitionLabel: boolean;
  readonly identity: () => ClientIdentity;
}

/** Per wrapped consumer: the {@link PartitionTelemetry} of each partition it has processed. */
export class PartitionTelemetryCache {
  readonly #deps: PartitionTelemetryDeps;
  readonly #byTopic = new Map<string, Map<number, PartitionTelemetry>>();
  // kafkajs hands over a whole batch of one partition before the next: one comparison, no lookup.
  #last: PartitionTelemetry | undefined;

  constructor(deps: PartitionTelemetryDeps) {
    this.#deps = deps;
  }

  get(topic: string, partition: number): PartitionTelemetry {
    const identity = this.#deps.identity();
    const last = this.#last;
    if (
      last !== undefined &&
      last.partition === partition &&
      last.topic === topic &&
      last.identity === identity
    )
      return last;
    let partitions = this.#byTopic.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.#byTopic.set(topic, partitions);
    }
    let entry = partitions.get(partition);
    // The group and broker are learnt as the client connects; entries made before lack them.
    if (entry === undefined || entry.identity !== identity) {
      entry = this.#create(topic, partition, identity);
      partitions.set(partition, entry);
    }
    this.#last = entry;
    return entry;
  }

  #create(topic: string, partition: number, identity: ClientIdentity): PartitionTelemetry {
    const { telemetry, partitionLabel, fetchLag } = this.#deps;
    const metricAttributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_PROCESS,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
    };
    if (partitionLabel) metricAttributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(partition);
    withIdentity(metricAttributes, identity, true);
    const spanAttributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_PROCESS,
      [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_PROCESS,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    };
    withIdentity(spanAttributes, identity, true);
    if (telemetry.clientId !== undefined) spanAttributes[ATTR_MESSAGING_CLIENT_ID] = telemetry.clientId;
    const group = identity.groupId ?? "";
    const broker =
      identity.broker === undefined ? "" : `${identity.broker.address}:${identity.broker.port ?? ""}`;
    const seriesKey = `${topic}\u0000${group}\u0000${partitionLabel ? partition : ""}\u0000${broker}`;
    return {
      topic,
      partition,
      identity,
      metricAttributes,
      spanName: `process ${topic}`,
      spanAttributes,
      consumed: telemetry.deferToOtel
        ? undefined
        : consumedSeries(telemetry.meter, seriesKey, metricAttributes),
      position: fetchLag.position(topic, partition),
      timestamps: new TimestampReader(),
      failedAttributes: new Map(),
    };
  }
}

/** `entry.metricAttributes` plus the `error.type` of `error`, cached per type. */
export function failedAttributes(entry: PartitionTelemetry, error: unknown): Attributes {
  const errorType = errorTypeOf(error);
  let attributes = entry.failedAttributes.get(errorType);
  if (attributes === undefined) {
    attributes = { ...entry.metricAttributes, [ATTR_ERROR_TYPE]: errorType };
    entry.failedAttributes.set(errorType, attributes);
  }
  return attributes;
}
