import type { Kafka } from "kafkajs";
import type { Logger } from "pino";

/** Bytes asked for per read: the broker returns at least the whole first batch anyway. */
const FETCH_BYTES = 64 * 1024;

/** Reads the timestamp of the message at an offset. */
export interface TimestampReader {
  /** Epoch ms of the first message at or after `offset`, or `undefined` when there is none. */
  read(topic: string, partition: number, offset: number): Promise<number | undefined>;
  close(): Promise<void>;
}

/** The parts of kafkajs' internal cluster and broker objects a one-message fetch uses. */
interface Cluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(node: { nodeId: string }): Promise<Broker>;
}
interface Broker {
  fetch(request: {
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{
    responses: {
      partitions: {
        errorCode: number;
        messages: { offset: string; timestamp: string; isControlRecord?: boolean }[];
      }[];
    }[];
  }>;
}

/** kafkajs builds clusters with the client's settings (brokers, TLS, SASL) behind this symbol. */
const CREATE_CLUSTER = "private:Kafka:createCluster";

/**
 * A reader that fetches one message with a plain Fetch request, as a consumer would but without
 * joining a group. kafkajs has no public call for this, so it goes through the cluster factory
 * the client keeps for its producers and admins; kafkajs 2.2.4 is its last release, so that
 * shape holds. Returns `undefined` when the client does not have it (the lag monitor then
 * interpolates, as without a reader).
 */
export function createTimestampReader(kafka: Kafka, logger: Logger): TimestampReader | undefined {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === CREATE_CLUSTER);
  const factory = symbol === undefined ? undefined : (kafka as unknown as Record<symbol, unknown>)[symbol];
  if (typeof factory !== "function") {
    logger.warn("kafkajs has no cluster factory: lag in seconds is interpolated from high watermarks");
    return undefined;
  }
  const cluster = (factory as (options: object) => Cluster)({ allowAutoTopicCreation: false });
  let connecting: Promise<void> | undefined;
  const connected = (): Promise<void> =>
    (connecting ??= cluster.connect().catch((error: unknown) => {
      connecting = undefined;
      throw error;
    }));
  return {
    async read(topic, partition, offset) {
      await connected();
      await cluster.addTargetTopic(topic);
      const [nodeId] = Object.keys(cluster.findLeaderForPartitions(topic, [partition]));
      if (nodeId === undefined) return undefined;
      const broker = await cluster.findBroker({ nodeId });
      const { responses } = await broker.fetch({
        maxWaitTime: 0,
        minBytes: 1,
        maxBytes: FETCH_BYTES,
        topics: [{ topic, partitions: [{ partition, fetchOffset: String(offset), maxBytes: FETCH_BYTES }] }],
      });
      // The broker answers from the start of the batch holding `offset`.
      const messages = responses[0]?.partitions[0]?.messages ?? [];
      const message = messages.find((m) => !m.isControlRecord && Number(m.offset) >= offset);
      return message === undefined ? undefined : Number(message.timestamp);
    },
    async close() {
      if (connecting !== undefined) await cluster.disconnect();
    },
  };
}
