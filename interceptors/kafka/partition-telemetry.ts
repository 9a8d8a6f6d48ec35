import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_ERROR_TYPE,
  ATTR_MESSAGING_CLIENT_ID,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  MESSAGING_OPERATION_TYPE_PROCESS,
  MESSAGING_SYSTEM_KAFKA,
} from "../semconv.ts";
import { consumedSeries } from "./consumed-messages.ts";
import type { ConsumedSeries } from "./consumed-messages.ts";
import type { FetchLag, PartitionPosition } from "./fetch-lag.ts";
import { errorTypeOf } from "./kafka-telemetry.ts";
import type { KafkaTelemetry } from "./kafka-telemetry.ts";

/**
 * Everything per-message recording needs that depends only on (topic, partition, group), built
 * once. The metrics SDK hashes the attribute object on every record, so building it per message
 * would add an allocation on top of that for nothing.
 */
export interface PartitionTelemetry {
  readonly topic: string;
  readonly partition: number;
  readonly group: string | undefined;
  /** Attributes of every per-message metric point (the same object each time). */
  readonly metricAttributes: Attributes;
  readonly spanName: string;
  /** The message-independent attributes of a `process` span. */
  readonly spanAttributes: Attributes;
  /** `undefined` when `@opentelemetry/instrumentation-kafkajs` owns that counter. */
  readonly consumed: ConsumedSeries | undefined;
  readonly position: PartitionPosition;
  /** `metricAttributes` plus `error.type`, by error type. */
  readonly failedAttributes: Map<string, Attributes>;
}

export interface PartitionTelemetryDeps {
  readonly telemetry: KafkaTelemetry;
  readonly fetchLag: FetchLag;
  readonly partitionLabel: boolean;
  readonly groupId: () => string | undefined;
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
    const group = this.#deps.groupId();
    const last = this.#last;
    if (last !== undefined && last.partition === partition && last.topic === topic && last.group === group)
      return last;
    let partitions = this.#byTopic.get(topic);
    if (partitions === undefined) {
      partitions = new Map();
      this.#byTopic.set(topic, partitions);
    }
    let entry = partitions.get(partition);
    // The group id may only be learnt at the first group join; entries made before carry "".
    if (entry === undefined || entry.group !== group) {
      entry = this.#create(topic, partition, group);
      partitions.set(partition, entry);
    }
    this.#last = entry;
    return entry;
  }

  #create(topic: string, partition: number, group: string | undefined): PartitionTelemetry {
    const { telemetry, partitionLabel, fetchLag } = this.#deps;
    const metricAttributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_PROCESS,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: group ?? "",
    };
    if (partitionLabel) metricAttributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(partition);
    const spanAttributes: Attributes = {
      [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_KAFKA,
      [ATTR_MESSAGING_OPERATION_TYPE]: MESSAGING_OPERATION_TYPE_PROCESS,
      [ATTR_MESSAGING_OPERATION_NAME]: MESSAGING_OPERATION_TYPE_PROCESS,
      [ATTR_MESSAGING_DESTINATION_NAME]: topic,
      [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(partition),
    };
    if (group !== undefined) spanAttributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = group;
    if (telemetry.clientId !== undefined) spanAttributes[ATTR_MESSAGING_CLIENT_ID] = telemetry.clientId;
    const seriesKey = `${topic}\u0000${group ?? ""}\u0000${partitionLabel ? partition : ""}`;
    return {
      topic,
      partition,
      group,
      metricAttributes,
      spanName: `process ${topic}`,
      spanAttributes,
      consumed: telemetry.deferToOtel
        ? undefined
        : consumedSeries(telemetry.meter, seriesKey, metricAttributes),
      position: fetchLag.position(topic, partition),
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
