import type { Attributes, Meter } from "@opentelemetry/api";
import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_SYSTEM_KAFKA,
  METRIC_TRACEWAY_KAFKA_FETCH_LAG,
} from "../semconv.ts";

/**
 * Where one partition stands. Offsets stay kafkajs' strings until a collection reads them: the
 * per-message update is then a single field write.
 */
export interface PartitionPosition {
  readonly topic: string;
  readonly partition: number;
  highWatermark: string | undefined;
  lastProcessedOffset: string | undefined;
}

/**
 * Lag as this consumer sees it at fetch time: the high watermark the broker returned with the
 * latest batch minus the offset just processed, minus one. It needs no admin calls and moves
 * with every message, but only covers partitions this process is assigned and freezes when the
 * consumer stops; the lag monitor's committed-offset lag is the one to alert on.
 */
export class FetchLag {
  readonly #positions = new Map<string, PartitionPosition>();
  readonly #groupId: () => string | undefined;

  constructor(meter: Meter, groupId: () => string | undefined) {
    this.#groupId = groupId;
    const gauge = meter.createObservableGauge(METRIC_TRACEWAY_KAFKA_FETCH_LAG, {
      description: "Fetch-time lag: high watermark of the last fetched batch − offset just processed − 1.",
      unit: "{message}",
    });
    gauge.addCallback((result) => {
      const group = this.#groupId();
      for (const position of this.#positions.values()) {
        const lag = this.#lagOf(position);
        if (lag === undefined) continue;
        const attributes: Attributes = {
          [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_KAFKA,
          [ATTR_MESSAGING_DESTINATION_NAME]: position.topic,
          [ATTR_MESSAGING_DESTINATION_PARTITION_ID]: String(position.partition),
        };
        // Left out until the first group join tells it, rather than "" (a value of its own).
        if (group !== undefined) attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = group;
        result.observe(lag, attributes);
      }
    });
  }

  onFetched(topic: string, partition: number, highWatermark: string): void {
    this.position(topic, partition).highWatermark = highWatermark;
  }

  onProcessed(topic: string, partition: number, offset: string): void {
    this.position(topic, partition).lastProcessedOffset = offset;
  }

  /** Current fetch-time lag of one partition, `undefined` before anything was processed. */
  lag(topic: string, partition: number): number | undefined {
    const position = this.#positions.get(`${topic}\u0000${partition}`);
    return position === undefined ? undefined : this.#lagOf(position);
  }

  #lagOf(position: PartitionPosition): number | undefined {
    if (position.highWatermark === undefined || position.lastProcessedOffset === undefined) return undefined;
    return Math.max(0, Number(position.highWatermark) - Number(position.lastProcessedOffset) - 1);
  }

  /** The live position record of a partition; callers keep it and write to it directly. */
  position(topic: string, partition: number): PartitionPosition {
    const key = `${topic}\u0000${partition}`;
    let position = this.#positions.get(key);
    if (position === undefined) {
      position = { topic, partition, highWatermark: undefined, lastProcessedOffset: undefined };
      this.#positions.set(key, position);
    }
    return position;
  }
}
