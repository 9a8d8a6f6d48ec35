import type { Context } from "@opentelemetry/api";
import type { KafkaMessage } from "kafkajs";
import type { KafkaBridgeConfig } from "../../config/kafka-types.ts";
import type { DispatchRequest } from "../../proxy/upstream-dispatcher.ts";
import { PartitionLabels, type PartitionGauge } from "./bridge-metrics.ts";
import { PartitionFlow } from "./partition-flow.ts";

/** What a bridge keeps per accepted message. */
export interface Pending {
  readonly message: KafkaMessage;
  /** The context kafkajs' `process` span made active for the message: each dispatch's parent. */
  readonly context: Context;
  /** Built at the first dispatch, reused by retries. */
  request: DispatchRequest | undefined;
  /** The backoff before the next try, while one runs. */
  timer: NodeJS.Timeout | undefined;
  /** Refusals by an unavailable upstream in a row, for the wait before the next try. */
  refusals: number;
}

/** One assigned partition of a bridge: its flow, labels, and whether kafkajs is told to pause it. */
export class PartitionState implements PartitionGauge {
  readonly flow: PartitionFlow<Pending>;
  readonly labels: PartitionLabels;
  /** What kafkajs was last told. */
  paused = false;
  /** Another member owns it now: what finishes here is not committed. */
  revoked = false;
  /** Wakes the `eachMessage` handler waiting for room in this partition's buffer. */
  onRoom: (() => void) | undefined = undefined;

  constructor(config: KafkaBridgeConfig, topic: string, partition: number) {
    this.flow = new PartitionFlow(topic, partition, config.ordering, config.concurrency);
    this.labels = new PartitionLabels(config.name, config.groupId, topic, partition);
  }

  get attributes(): PartitionLabels["attributes"] {
    return this.labels.attributes;
  }

  get stopped(): boolean {
    return this.flow.stopped;
  }
}
