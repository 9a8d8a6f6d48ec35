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
  addMultipleTargetTopics(topics: string[]): Promise<void>;
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
      topicName: string;
      partitions: {
        partition: number;
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
  // Reads asked for in the same tick go out together, one Fetch per leader broker. Together also
  // because kafkajs opens a second connection when two calls find a broker not yet connected.
  let batch: Read[] = [];
  let running: Promise<void> = Promise.resolve();
  const flush = (): void => {
    const reads = batch;
    batch = [];
    running = running.then(() => fetchAll(cluster, connected, reads));
  };
  return {
    read(topic, partition, offset) {
      return new Promise((resolve, reject) => {
        if (batch.length === 0) setImmediate(flush);
        batch.push({ topic, partition, offset, resolve, reject });
      });
    },
    async close() {
      await running;
      if (connecting === undefined) return;
      await connecting.catch(() => undefined);
      await cluster.disconnect();
    },
  };
}

interface Read {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  resolve(timestamp: number | undefined): void;
  reject(error: unknown): void;
}

async function fetchAll(
  cluster: Cluster,
  connected: () => Promise<void>,
  reads: readonly Read[],
): Promise<void> {
  try {
    await connected();
    await cluster.addMultipleTargetTopics([...new Set(reads.map((r) => r.topic))]);
    const byLeader = new Map<string, Read[]>();
    for (const read of reads) {
      const [leader] = Object.keys(cluster.findLeaderForPartitions(read.topic, [read.partition]));
      if (leader === undefined) read.resolve(undefined);
      else byLeader.set(leader, [...(byLeader.get(leader) ?? []), read]);
    }
    for (const [nodeId, leaderReads] of byLeader)
      await fetchFrom(await cluster.findBroker({ nodeId }), leaderReads);
  } catch (error) {
    for (const read of reads) read.reject(error);
  }
}

async function fetchFrom(broker: Broker, reads: readonly Read[]): Promise<void> {
  const topics = new Map<string, { partition: number; fetchOffset: string; maxBytes: number }[]>();
  for (const r of reads) {
    const partitions = topics.get(r.topic) ?? [];
    partitions.push({ partition: r.partition, fetchOffset: String(r.offset), maxBytes: FETCH_BYTES });
    topics.set(r.topic, partitions);
  }
  const { responses } = await broker.fetch({
    maxWaitTime: 0,
    minBytes: 1,
    maxBytes: FETCH_BYTES * reads.length,
    topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
  });
  for (const read of reads) {
    const messages =
      responses
        .find((t) => t.topicName === read.topic)
        ?.partitions.find((p) => p.partition === read.partition)?.messages ?? [];
    // The broker answers from the start of the batch holding the offset.
    const message = messages.find((m) => !m.isControlRecord && Number(m.offset) >= read.offset);
    read.resolve(message === undefined ? undefined : Number(message.timestamp));
  }
}
