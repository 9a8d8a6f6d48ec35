import type { Kafka } from "kafkajs";
import { waitFor } from "../../../helpers/wait-for.ts";

/** Produces `perPartition[p]` messages to each partition p, optionally stamped `timestamp` (ms). */
export async function produceCounts(
  kafka: Kafka,
  topic: string,
  perPartition: readonly number[],
  timestamp?: number,
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  const messages = perPartition.flatMap((count, partition) =>
    Array.from({ length: count }, (_, i) => ({
      partition,
      value: `p${partition}-${i}`,
      ...(timestamp === undefined ? {} : { timestamp: String(timestamp) }),
    })),
  );
  await producer.send({ topic, messages });
  await producer.disconnect();
}

/** A plain kafkajs consumer (no traceway anywhere) reads `expected` messages, commits, and leaves. */
export async function consumeAndLeave(
  kafka: Kafka,
  group: string,
  topic: string,
  expected: number,
): Promise<void> {
  const consumer = kafka.consumer({ groupId: group });
  let seen = 0;
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommitThreshold: 1,
      eachMessage: () => {
        seen++;
        return Promise.resolve();
      },
    });
    await waitFor(() => seen >= expected, { what: `${expected} consumed`, timeoutMs: 60_000 });
  } finally {
    await consumer.disconnect();
  }
}
