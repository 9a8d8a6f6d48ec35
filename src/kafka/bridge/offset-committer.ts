import type { Consumer } from "kafkajs";
import type { Logger } from "pino";

/** Wait before committing again after a failed commit (a rebalance, a broker restart). */
export const COMMIT_RETRY_MS = 1000;

/**
 * Commits the offsets partitions hand it, coalesced: one commit request at a time, carrying the
 * latest offset of every partition that moved meanwhile. Commits follow completions closely, so
 * a crash re-delivers little more than what was in flight; a failed commit is tried again (the
 * offsets stay pending) until the partition is revoked.
 */
export class OffsetCommitter {
  readonly #consumer: Pick<Consumer, "commitOffsets">;
  readonly #logger: Logger;
  readonly #pending = new Map<string, { topic: string; partition: number; offset: number }>();
  #inFlight: Promise<void> | undefined;
  #retry: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(consumer: Pick<Consumer, "commitOffsets">, logger: Logger) {
    this.#consumer = consumer;
    this.#logger = logger;
  }

  request(topic: string, partition: number, offset: number): void {
    this.#pending.set(`${topic}\u0000${partition}`, { topic, partition, offset });
    this.#kick();
  }

  /** The partition left this consumer: whatever it had pending is no longer ours to commit. */
  forget(topic: string, partition: number): void {
    this.#pending.delete(`${topic}\u0000${partition}`);
  }

  /** Commits what is pending now, once more if needed; resolves when done or failed (shutdown). */
  async flush(): Promise<void> {
    // From here a failure is final: no retry timer outlives the consumer.
    this.#closed = true;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
    await this.#inFlight;
    this.#kick();
    await this.#inFlight;
  }

  #kick(): void {
    if (this.#inFlight !== undefined || this.#retry !== undefined || this.#pending.size === 0) return;
    const batch = [...this.#pending.values()];
    this.#pending.clear();
    this.#inFlight = this.#commit(batch).finally(() => {
      this.#inFlight = undefined;
      if (!this.#closed) this.#kick();
    });
  }

  async #commit(batch: { topic: string; partition: number; offset: number }[]): Promise<void> {
    try {
      await this.#consumer.commitOffsets(
        batch.map(({ topic, partition, offset }) => ({ topic, partition, offset: String(offset) })),
      );
    } catch (error) {
      // Newer offsets requested meanwhile win; the rest go back to wait for the retry.
      for (const c of batch) {
        const key = `${c.topic}\u0000${c.partition}`;
        if (!this.#pending.has(key)) this.#pending.set(key, c);
      }
      if (this.#closed) return;
      this.#logger.warn({ err: error, partitions: batch.length }, "kafka bridge: commit failed; retrying");
      this.#retry = setTimeout(() => {
        this.#retry = undefined;
        this.#kick();
      }, COMMIT_RETRY_MS);
    }
  }
}
