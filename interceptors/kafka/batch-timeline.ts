import type { Clock } from "../clock.ts";
import type { Failure } from "./kafka-telemetry.ts";

/** Called once per group of messages whose processing ended together. Indices are inclusive. */
export type GroupEnded = (
  first: number,
  last: number,
  beginMs: number,
  endMs: number,
  failure: Failure | undefined,
) => void;

/**
 * Works out when each message of an `eachBatch` call was being processed, from the only signals
 * the handler gives: reading `batch.messages[i]` and calling `resolveOffset`. (The OpenTelemetry
 * kafkajs instrumentation gives every message the whole batch's duration.) The model is the
 * sequential loop kafkajs documents:
 *
 * - A message **begins** at the handler's first read of it since the previous message ended,
 *   or, if it is not read again, when the previous message ended (reading the whole array up
 *   front, e.g. `batch.messages.map(...)`, therefore does not start everything at once).
 * - A message **ends** at the first `resolveOffset` covering it; or, without `resolveOffset`,
 *   when the handler reads a later message after having awaited something (the next message
 *   begins; reads within one synchronous run are bulk reads and end nothing); or when the
 *   handler returns. Messages ended by the same signal form a group sharing begin and end:
 *   a bulk insert resolved with one `resolveOffset(lastOffset)` gives every message the
 *   insert's duration.
 * - When the handler throws, the message(s) in progress fail; later ones were never
 *   processed and get nothing.
 *
 * Concurrent processing inside one `eachBatch` (`Promise.all` over the messages) is measured
 * as if sequential: each group runs from the previous completion to its own.
 */
export class BatchTimeline {
  readonly #offsets: readonly number[];
  readonly #clock: Clock;
  readonly #onGroup: GroupEnded;
  #next = 0;
  #lastEndMs: number;
  #windowBeginMs: number | undefined;
  #windowBurst = 0;
  #highestTouched = -1;
  #burst = 0;
  #burstScheduled = false;
  #finished = false;

  constructor(offsets: readonly string[], clock: Clock, onGroup: GroupEnded) {
    this.#offsets = offsets.map(Number);
    this.#clock = clock;
    this.#onGroup = onGroup;
    this.#lastEndMs = clock.now();
  }

  /** The handler read `batch.messages[index]`. */
  touch(index: number): void {
    if (this.#finished || index < this.#next || index >= this.#offsets.length) return;
    this.#noteBurst();
    if (this.#windowBeginMs === undefined) {
      this.#openWindow(index);
      return;
    }
    if (index > this.#next && this.#burst !== this.#windowBurst) {
      this.#close(index - 1, undefined);
      this.#openWindow(index);
      return;
    }
    if (index > this.#highestTouched) this.#highestTouched = index;
  }

  /** The handler called `resolveOffset(offset)`. */
  resolve(offset: string): void {
    if (this.#finished) return;
    const resolved = Number(offset);
    let last = -1;
    for (let i = this.#next; i < this.#offsets.length && (this.#offsets[i] ?? Infinity) <= resolved; i++)
      last = i;
    if (last >= 0) this.#close(last, undefined);
  }

  /** The handler returned (no failure) or threw. */
  finish(failure?: Failure): void {
    if (this.#finished) return;
    this.#finished = true;
    if (this.#next >= this.#offsets.length) return;
    if (failure === undefined) {
      this.#close(this.#offsets.length - 1, undefined);
      return;
    }
    this.#close(Math.max(this.#next, this.#highestTouched), failure);
  }

  #openWindow(index: number): void {
    this.#windowBeginMs = this.#clock.now();
    this.#windowBurst = this.#burst;
    this.#highestTouched = index;
  }

  #close(last: number, failure: Failure | undefined): void {
    const endMs = this.#clock.now();
    const beginMs = Math.max(this.#windowBeginMs ?? this.#lastEndMs, this.#lastEndMs);
    const first = this.#next;
    this.#next = last + 1;
    this.#lastEndMs = endMs;
    this.#windowBeginMs = undefined;
    this.#highestTouched = -1;
    this.#onGroup(first, last, beginMs, endMs, failure);
  }

  // Reads in one synchronous run share a burst; the counter moves once control has returned to
  // the event loop's microtask queue, i.e. after the handler awaited something.
  #noteBurst(): void {
    if (this.#burstScheduled) return;
    this.#burstScheduled = true;
    queueMicrotask(() => {
      this.#burstScheduled = false;
      this.#burst++;
    });
  }
}
