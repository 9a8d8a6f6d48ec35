import { setTimeout as sleep } from "node:timers/promises";
import { context } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { KafkaBridgeConfig } from "../../config/kafka-types.ts";
import type { DispatchResult } from "../../proxy/upstream-dispatcher.ts";
import { deadLetter, describeFailure } from "./dead-letters.ts";
import { classify, type DispatchOutcome } from "./dispatch-outcome.ts";
import type { BridgeDeps } from "./kafka-bridge.ts";
import { messageRequest, type PathTemplate } from "./message-request.ts";
import { EntryState, type FlowEntry } from "./partition-flow.ts";
import type { PartitionState, Pending } from "./partition-state.ts";
import { backoffDelay, retryAfterMs, retryDelay } from "./retry-schedule.ts";
import { waitForCandidates } from "./upstream-watch.ts";

/** What the bridge does when a dispatch changes something. */
export interface DispatchEvents {
  /** A message is done (delivered or dead-lettered); `commit` is the partition's new commit offset. */
  finished(state: PartitionState, commit: number | undefined): void;
  /** A dispatch ended: a slot is free, the partition's buffer may have shrunk. */
  settled(state: PartitionState): void;
  /** The upstream became unable, or able again, to take messages. */
  availability(): void;
}

type Entry = FlowEntry<Pending>;

const NO_RESPONSE: DispatchResult = {
  status: undefined,
  headers: {},
  body: Buffer.alloc(0),
  error: undefined,
  backend: undefined,
  retries: 0,
};

/**
 * The life of each message of one bridge after its partition lets it run: dispatch it through the
 * upstream inside its `process` span's context, then act on the outcome (dispatch-outcome.ts):
 * done; back off (exponential, jittered, at least the service's `Retry-After`) and try again while
 * its key waits; write it to the dead-letter topic; stop its partition when there is none; or hold
 * it while the upstream cannot take requests (the bridge pauses fetching meanwhile).
 */
export class MessageDispatch {
  readonly #config: KafkaBridgeConfig;
  readonly #path: PathTemplate;
  readonly #deps: BridgeDeps;
  readonly #log: Logger;
  readonly #events: DispatchEvents;
  /** Backoffs and upstream waits; aborted when the bridge stops. */
  readonly #waits = new AbortController();
  /** Running dispatches; aborted at the shutdown deadline. */
  readonly #abandon = new AbortController();
  #running = 0;
  /** Dispatches that ended without delivery while stopping: by our deadline or the balancer's. */
  #abandoned = 0;
  #unavailable = false;
  #gate: Promise<void> | undefined;
  #onIdle: (() => void) | undefined;

  constructor(
    config: KafkaBridgeConfig,
    path: PathTemplate,
    deps: BridgeDeps,
    log: Logger,
    events: DispatchEvents,
  ) {
    this.#config = config;
    this.#path = path;
    this.#deps = deps;
    this.#log = log;
    this.#events = events;
  }

  /** Dispatches and dead-letter writes under way. */
  get running(): number {
    return this.#running;
  }

  /** The upstream refused the last message it was given (no healthy backend, connection refused). */
  get unavailable(): boolean {
    return this.#unavailable;
  }

  /** Starts every message of the partition that may run now. */
  pump(state: PartitionState): void {
    for (let entry = state.flow.take(); entry !== undefined; entry = state.flow.take()) {
      void this.#run(state, entry);
    }
  }

  /** Shutdown: backoffs and waits end without a new dispatch; their messages stay unfinished. */
  stopWaiting(states: Iterable<PartitionState>): void {
    this.#waits.abort(new Error("bridge stopping"));
    for (const state of states) {
      for (const entry of state.flow.unfinished()) {
        clearTimeout(entry.item.timer);
        entry.item.timer = undefined;
      }
    }
  }

  /** Shutdown deadline: running dispatches are cancelled. */
  abandon(): void {
    this.#abandon.abort(new Error("shutdown deadline"));
  }

  /** How many running dispatches the shutdown cut off (their messages stay uncommitted). */
  get abandoned(): number {
    return this.#abandoned;
  }

  /** True once nothing runs, false when `ms` passed first. */
  idle(ms: number): Promise<boolean> {
    if (this.#running === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#onIdle = undefined;
        resolve(false);
      }, ms);
      this.#onIdle = () => {
        clearTimeout(timer);
        this.#onIdle = undefined;
        resolve(true);
      };
    });
  }

  async #run(state: PartitionState, entry: Entry): Promise<void> {
    this.#running++;
    try {
      const result = await this.#send(state, entry);
      const classified = classify(result, this.#config.retry.on);
      // Stopping: what did not get through waits for the next run rather than a retry or a DLQ.
      const outcome = this.#waits.signal.aborted && classified.kind !== "delivered" ? ABANDONED : classified;
      await this.#settle(state, entry, outcome, result);
    } finally {
      this.#running--;
      if (this.#running === 0) this.#onIdle?.();
      this.#events.settled(state);
    }
  }

  async #send(state: PartitionState, entry: Entry): Promise<DispatchResult> {
    const { flow, labels } = state;
    const item = entry.item;
    item.request ??= messageRequest(this.#config, this.#path, flow.topic, flow.partition, item.message);
    const request = item.request;
    const { instruments, clock, target } = this.#deps;
    instruments.dispatched.add(1, labels.attributes);
    const startedAt = clock.now();
    let result: DispatchResult;
    try {
      result = await context.with(item.context, () =>
        target.dispatch(this.#config.upstream, request, this.#abandon.signal),
      );
    } catch (error) {
      // A fault below us; the message is kept and tried again as if the upstream refused it.
      this.#log.error({ err: error }, "kafka bridge: dispatch failed unexpectedly");
      result = NO_RESPONSE;
    }
    const seconds = (clock.now() - startedAt) / 1000;
    const failed =
      result.status === undefined
        ? result.error?.code
        : result.status >= 300
          ? String(result.status)
          : undefined;
    instruments.duration.record(seconds, failed === undefined ? labels.attributes : labels.withError(failed));
    return result;
  }

  async #settle(
    state: PartitionState,
    entry: Entry,
    outcome: DispatchOutcome,
    result: DispatchResult,
  ): Promise<void> {
    const { instruments } = this.#deps;
    switch (outcome.kind) {
      case "delivered":
        this.#available();
        instruments.succeeded.add(1, state.labels.attributes);
        this.#finish(state, entry);
        return;
      case "retry":
        this.#available();
        entry.tries++;
        if (entry.tries < this.#config.retry.tries) {
          instruments.retried.add(1, state.labels.withError(outcome.errorType));
          this.#backoff(state, entry, result);
          return;
        }
        await this.#giveUp(state, entry, outcome.errorType, result);
        return;
      case "reject":
        this.#available();
        entry.tries++;
        await this.#giveUp(state, entry, outcome.errorType, result);
        return;
      case "unavailable":
        this.#hold(state, entry, outcome.untilHealthy, outcome.errorType);
        return;
      case "abandoned":
        this.#abandoned++;
        state.flow.suspend(entry, EntryState.Held);
        return;
    }
  }

  #finish(state: PartitionState, entry: Entry): void {
    this.#events.finished(state, state.flow.finish(entry));
  }

  #backoff(state: PartitionState, entry: Entry, result: DispatchResult): void {
    state.flow.suspend(entry, EntryState.Backoff);
    const { retry } = this.#config;
    const delay = retryDelay(
      backoffDelay(retry, entry.tries, this.#deps.random),
      retryAfterMs(result.headers, Date.now()),
    );
    entry.item.timer = setTimeout(() => {
      entry.item.timer = undefined;
      state.flow.wake(entry);
      this.#events.settled(state);
    }, delay);
  }

  /** The upstream cannot take it: not the message's fault, so no try is counted; wait, then again. */
  #hold(state: PartitionState, entry: Entry, untilHealthy: boolean, errorType: string): void {
    state.flow.suspend(entry, EntryState.Held);
    entry.item.refusals++;
    if (!this.#unavailable) {
      this.#unavailable = true;
      this.#log.warn(
        { upstream: this.#config.upstream, error_type: errorType },
        "kafka bridge: the upstream cannot take messages; pausing every partition until it can",
      );
      this.#events.availability();
    }
    // No healthy backend: wake when one is. Otherwise (connection refused, queue full) the pool has
    // candidates that fail, so back off first or the held messages would spin.
    const waitMs = untilHealthy
      ? 0
      : backoffDelay(this.#config.retry, entry.item.refusals, this.#deps.random);
    const signal = this.#waits.signal;
    sleep(waitMs, undefined, { signal })
      .then(() => this.#upstreamReady())
      .then(
        () => {
          if (state.revoked) return;
          state.flow.wake(entry);
          this.#events.settled(state);
        },
        () => {}, // stopping: the message stays unfinished
      );
  }

  /** One wait for a healthy backend, shared by every held message. */
  #upstreamReady(): Promise<void> {
    const pool = this.#deps.target.pools.get(this.#config.upstream);
    return (this.#gate ??= waitForCandidates(pool, this.#waits.signal).finally(() => {
      this.#gate = undefined;
    }));
  }

  #available(): void {
    if (!this.#unavailable) return;
    this.#unavailable = false;
    this.#log.info(
      { upstream: this.#config.upstream },
      "kafka bridge: the upstream takes messages again; resuming",
    );
    this.#events.availability();
  }

  /** The last try failed: to the dead-letter topic, or, without one, the partition stops. */
  async #giveUp(
    state: PartitionState,
    entry: Entry,
    errorType: string,
    result: DispatchResult,
  ): Promise<void> {
    const { flow } = state;
    const where = {
      topic: flow.topic,
      partition: flow.partition,
      offset: entry.offset,
      error_type: errorType,
      attempts: entry.tries,
    };
    const topic = this.#config.deadLetterTopic;
    if (topic === undefined) {
      flow.stick(entry);
      this.#log.error(
        { ...where, error: describeFailure(result) },
        "kafka bridge: message failed its last try and the bridge has no deadLetterTopic: partition stopped, nothing committed past it",
      );
      return;
    }
    const letter = deadLetter(entry.item.message, {
      bridge: this.#config.name,
      group: this.#config.groupId,
      topic: flow.topic,
      partition: flow.partition,
      errorType,
      error: describeFailure(result),
      attempts: entry.tries,
    });
    if (!(await this.#writeDeadLetter(entry, topic, letter))) {
      flow.suspend(entry, EntryState.Held);
      return;
    }
    this.#deps.instruments.deadLettered.add(1, state.labels.withError(errorType));
    this.#log.warn({ ...where, dead_letter_topic: topic }, "kafka bridge: message dead-lettered");
    this.#finish(state, entry);
  }

  /** Writes until it succeeds; false when the bridge stops first (the message stays unfinished). */
  async #writeDeadLetter(
    entry: Entry,
    topic: string,
    letter: Parameters<BridgeDeps["deadLetters"]["send"]>[1],
  ): Promise<boolean> {
    for (let failures = 1; ; failures++) {
      try {
        await context.with(entry.item.context, () => this.#deps.deadLetters.send(topic, letter));
        return true;
      } catch (error) {
        if (this.#waits.signal.aborted) return false;
        this.#log.warn(
          { err: error, dead_letter_topic: topic, offset: entry.offset },
          "kafka bridge: dead letter not written; retrying",
        );
        const waitMs = backoffDelay(this.#config.retry, failures, this.#deps.random);
        const waited = await sleep(waitMs, true, { signal: this.#waits.signal }).catch(() => false);
        if (!waited) return false;
      }
    }
  }
}

const ABANDONED: DispatchOutcome = { kind: "abandoned" };
