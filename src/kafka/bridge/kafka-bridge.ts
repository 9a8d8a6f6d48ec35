import { context } from "@opentelemetry/api";
import type { MeterProvider, TracerProvider } from "@opentelemetry/api";
import type { Consumer, EachMessagePayload, Kafka } from "kafkajs";
import type { Logger } from "pino";
import { instrumentConsumer } from "../../../interceptors/balancer-entry.ts";
import type { KafkaBridgeConfig } from "../../config/kafka-types.ts";
import type { UpstreamPool } from "../../pool/upstream-pool.ts";
import type { DispatchRequest, DispatchResult } from "../../proxy/upstream-dispatcher.ts";
import type { Clock, Random } from "../../shared/clock.ts";
import { observePartitions, type BridgeInstruments } from "./bridge-metrics.ts";
import type { DeadLetterSink } from "./dead-letters.ts";
import { MessageDispatch } from "./message-dispatch.ts";
import { PathTemplate } from "./message-request.ts";
import { OffsetCommitter } from "./offset-committer.ts";
import { PartitionState, type Pending } from "./partition-state.ts";

/** What a bridge dispatches through: the running balancer. */
export interface BridgeTarget {
  dispatch(upstream: string, request: DispatchRequest, signal?: AbortSignal): Promise<DispatchResult>;
  readonly pools: ReadonlyMap<string, UpstreamPool>;
}

export interface BridgeDeps {
  readonly kafka: Kafka;
  readonly target: BridgeTarget;
  readonly instruments: BridgeInstruments;
  readonly deadLetters: DeadLetterSink;
  readonly logger: Logger;
  readonly clientId: string;
  readonly tracerProvider: TracerProvider | undefined;
  readonly meterProvider: MeterProvider | undefined;
  readonly clock: Clock;
  readonly random: Random;
}

/**
 * kafkajs' fetch long-poll, and its sleep while every partition is paused: how late a resumed
 * partition is fetched again at most (its default is 5 s). An idle bridge pays two small fetches
 * a second for it.
 */
export const FETCH_MAX_WAIT_MS = 500;
/** A partition takes messages until it holds this many unfinished ones per unit of `concurrency`... */
export const BUFFER_PER_CONCURRENCY = 4;
/** ...and at least this many. */
export const MIN_PARTITION_BUFFER = 32;
/**
 * Batches kafkajs hands over at once: a partition whose buffer is full holds its batch while the
 * others go on (kafkajs processes one at a time by default).
 */
export const PARTITIONS_CONSUMED_CONCURRENTLY = 16;
/** While a handler waits for room, it keeps the group membership alive (kafkajs' own interval). */
export const HEARTBEAT_WHILE_WAITING_MS = 3000;
/** After the shutdown deadline aborts running dispatches, how long their ends may take. */
const ABANDON_GRACE_MS = 2000;
/** Wait before a bridge whose consumer crashed for good makes a new one. */
export const RESTART_AFTER_MS = 5000;

/**
 * One `kafka.bridges[]` entry: a consumer group whose messages become requests through an
 * upstream (message-dispatch.ts decides per dispatch), with kafkajs' auto-commit off and commits
 * only up to the lowest unfinished message of each partition (partition-flow.ts).
 *
 * The `eachMessage` handler hands the message to its partition and returns; it waits only while
 * the partition's buffer is full (heartbeating). So kafkajs' `process` span (instrumentConsumer)
 * covers the hand-over, and the CLIENT spans of the dispatches hang under it. Fetching pauses
 * (kafkajs `pause`/`resume`) while the upstream cannot take requests, and for a partition whose
 * message failed for good with no dead-letter topic.
 */
export class KafkaBridge {
  readonly config: KafkaBridgeConfig;
  readonly #deps: BridgeDeps;
  readonly #log: Logger;
  readonly #partitions = new Map<string, PartitionState>();
  readonly #bufferLimit: number;
  readonly #dispatch: MessageDispatch;
  #raw: Consumer | undefined;
  #committer: OffsetCommitter | undefined;
  #unobserve: () => void = () => {};
  #stopping = false;
  #stopped: Promise<void> | undefined;
  #restartTimer: NodeJS.Timeout | undefined;

  constructor(config: KafkaBridgeConfig, deps: BridgeDeps) {
    this.config = config;
    this.#deps = deps;
    this.#log = deps.logger.child({ bridge: config.name });
    this.#bufferLimit = Math.max(MIN_PARTITION_BUFFER, config.concurrency * BUFFER_PER_CONCURRENCY);
    this.#dispatch = new MessageDispatch(config, new PathTemplate(config.path), deps, this.#log, {
      finished: (state, entry) => this.#finished(state, entry),
      settled: (state) => this.#settled(state),
      availability: () => this.#availabilityChanged(),
    });
  }

  /** Joins the group and starts consuming; rejects when the cluster cannot be reached. */
  async start(): Promise<void> {
    const { kafka, tracerProvider, meterProvider, clientId } = this.#deps;
    const { groupId } = this.config;
    const raw = kafka.consumer({ groupId, maxWaitTimeInMs: FETCH_MAX_WAIT_MS });
    const consumer = instrumentConsumer(raw, {
      groupId,
      clientId,
      ...(tracerProvider ? { tracerProvider } : {}),
      ...(meterProvider ? { meterProvider } : {}),
    });
    this.#raw = raw;
    this.#committer = new OffsetCommitter(consumer, this.#log);
    raw.on(raw.events.GROUP_JOIN, (e) => this.#onAssignment(e.payload.memberAssignment));
    raw.on(raw.events.CRASH, (e) => this.#onCrash(e.payload.error, e.payload.restart));
    this.#unobserve();
    this.#unobserve = observePartitions(this.#deps.instruments, () => this.#partitions.values());
    await raw.connect();
    await raw.subscribe({
      topics: [...this.config.topics],
      fromBeginning: this.config.startFrom === "earliest",
    });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: PARTITIONS_CONSUMED_CONCURRENTLY,
      eachMessage: this.#onMessage,
    });
    this.#log.info(
      { topics: this.config.topics, group: groupId, upstream: this.config.upstream },
      "kafka bridge consuming",
    );
  }

  /**
   * Stops fetching, lets running dispatches finish until `deadlineMs`, abandons the rest (they stay
   * uncommitted and are read again by the next run), commits what finished and leaves the group.
   */
  stop(deadlineMs: number): Promise<void> {
    return (this.#stopped ??= this.#stop(deadlineMs));
  }

  readonly #onMessage = async (payload: EachMessagePayload): Promise<void> => {
    const { topic, partition, message } = payload;
    const state = this.#state(topic, partition);
    // A full buffer holds the batch here rather than pausing: pausing would drop the rest of the
    // fetched batch and fetch it again.
    if (this.#mustWait(state)) await this.#room(state, () => payload.heartbeat());
    // Not taken: kafkajs' own position moves on, but ours is what gets committed.
    if (this.#stopping || state.revoked) return;
    const item: Pending = {
      message,
      context: context.active(),
      request: undefined,
      timer: undefined,
      refusals: 0,
    };
    const key = message.key === null ? null : message.key.toString("latin1");
    if (state.flow.accept(Number(message.offset), key, item) !== undefined) {
      this.#deps.instruments.inFlight.add(1, state.labels.attributes);
      this.#dispatch.pump(state);
    }
    this.#updatePause(state);
  };

  #mustWait(state: PartitionState): boolean {
    return (
      state.flow.pending >= this.#bufferLimit &&
      !this.#stopping &&
      !state.revoked &&
      !state.paused &&
      !this.#dispatch.unavailable
    );
  }

  /** Resolves when the partition has room again, or must pause instead, or the group rebalances. */
  #room(state: PartitionState, heartbeat: () => Promise<void>): Promise<void> {
    return new Promise<void>((resolve) => {
      const beat = setInterval(() => {
        heartbeat().catch(() => done()); // a rebalance: let kafkajs get on with it
      }, HEARTBEAT_WHILE_WAITING_MS);
      const done = (): void => {
        clearInterval(beat);
        state.onRoom = undefined;
        resolve();
      };
      state.onRoom = done;
    });
  }

  #checkRoom(state: PartitionState): void {
    if (state.onRoom !== undefined && !this.#mustWait(state)) state.onRoom();
  }

  #state(topic: string, partition: number): PartitionState {
    const key = `${topic}\u0000${partition}`;
    let state = this.#partitions.get(key);
    if (state === undefined) {
      state = new PartitionState(this.config, topic, partition);
      this.#partitions.set(key, state);
    }
    return state;
  }

  #finished(state: PartitionState, commit: number | undefined): void {
    if (state.revoked) return;
    this.#deps.instruments.inFlight.add(-1, state.labels.attributes);
    if (commit !== undefined) this.#committer?.request(state.flow.topic, state.flow.partition, commit);
  }

  #settled(state: PartitionState): void {
    if (!this.#stopping && !state.revoked) this.#dispatch.pump(state);
    this.#updatePause(state);
    this.#checkRoom(state);
  }

  #availabilityChanged(): void {
    for (const state of this.#partitions.values()) {
      this.#updatePause(state);
      this.#checkRoom(state);
    }
  }

  /** Fetching pauses while the upstream cannot take messages, after a message failed for good, and at stop. */
  #updatePause(state: PartitionState): void {
    const pause = this.#stopping || this.#dispatch.unavailable || state.flow.stopped;
    if (pause === state.paused || state.revoked) return;
    state.paused = pause;
    this.#applyPause(state);
  }

  #applyPause(state: PartitionState): void {
    const partitions = [{ topic: state.flow.topic, partitions: [state.flow.partition] }];
    try {
      if (state.paused) this.#raw?.pause(partitions);
      else this.#raw?.resume(partitions);
    } catch (error) {
      // Between a crash and the restart kafkajs has no group to pause; the next join re-applies it.
      this.#log.debug({ err: error }, "kafka bridge: pause/resume not applied");
    }
  }

  /** A (re)join: partitions this member lost are dropped; kept ones keep their state and pauses. */
  #onAssignment(assignment: Record<string, number[]>): void {
    const assigned = new Set<string>();
    for (const [topic, partitions] of Object.entries(assignment)) {
      for (const partition of partitions) assigned.add(`${topic}\u0000${partition}`);
    }
    for (const [key, state] of this.#partitions) {
      if (assigned.has(key)) {
        // A consumer restarted by kafkajs starts unpaused.
        if (state.paused) this.#applyPause(state);
        continue;
      }
      this.#partitions.delete(key);
      state.revoked = true;
      state.onRoom?.();
      this.#committer?.forget(state.flow.topic, state.flow.partition);
      this.#deps.instruments.inFlight.add(-state.flow.pending, state.labels.attributes);
      for (const entry of state.flow.unfinished()) clearTimeout(entry.item.timer);
      this.#log.info(
        { topic: state.flow.topic, partition: state.flow.partition, dropped: state.flow.pending },
        "kafka bridge: partition revoked; its unfinished messages go to the new owner",
      );
    }
  }

  #onCrash(error: Error, restart: boolean): void {
    this.#log.error({ err: error, restart }, "kafka bridge: consumer crashed");
    if (restart || this.#stopping) return;
    this.#restartTimer = setTimeout(() => void this.#restart(), RESTART_AFTER_MS);
  }

  async #restart(): Promise<void> {
    this.#restartTimer = undefined;
    if (this.#stopping) return;
    await this.#raw?.disconnect().catch(() => undefined);
    try {
      await this.start();
    } catch (error) {
      this.#onCrash(error as Error, false);
    }
  }

  async #stop(deadlineMs: number): Promise<void> {
    this.#stopping = true;
    clearTimeout(this.#restartTimer);
    for (const state of this.#partitions.values()) {
      this.#updatePause(state);
      state.onRoom?.();
    }
    const running = this.#dispatch.running;
    // Waiting messages (backoff, held, queued) start no new dispatch; running ones may finish.
    this.#dispatch.stopWaiting(this.#partitions.values());
    const finished = await this.#dispatch.idle(deadlineMs);
    if (!finished) {
      this.#dispatch.abandon();
      await this.#dispatch.idle(ABANDON_GRACE_MS);
    }
    await this.#committer?.flush();
    this.#unobserve();
    let unfinished = 0;
    for (const state of this.#partitions.values()) {
      unfinished += state.flow.pending;
      this.#deps.instruments.inFlight.add(-state.flow.pending, state.labels.attributes);
    }
    await this.#raw
      ?.disconnect()
      .catch((error: unknown) => this.#log.warn({ err: error }, "kafka bridge: disconnect failed"));
    this.#log.info(
      // The balancer's own drain deadline may cut a dispatch off just before ours: abandoned too.
      {
        running_at_stop: running,
        abandoned: !finished || this.#dispatch.abandoned > 0,
        uncommitted: unfinished,
      },
      "kafka bridge stopped",
    );
  }
}
