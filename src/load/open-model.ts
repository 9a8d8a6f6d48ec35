/**
 * The open model (`--mode rate`): requests start on a fixed schedule whatever the target does, and
 * latency runs from each request's intended start, as in wrk2 and Vegeta. A request that finds
 * every connection busy waits for one, and that wait is part of its latency, so a stalled target
 * shows in the percentiles instead of silently slowing the generator down (coordinated omission).
 *
 * Timers fire on millisecond ticks, so a request can be written up to ~1 ms after its intended
 * start; that lateness is counted as latency (never subtracted), which keeps the tail honest and
 * puts a ~1 ms floor under the open model's resolution, as with wrk2's millisecond timers.
 */
import { Http1Connection, type Completion } from "./http1-connection.ts";
import type { LoadModel, ModelRequest } from "./load-model.ts";
import type { StepRecorder } from "./step-recorder.ts";

export interface Schedule {
  /** This worker's requests per second. */
  readonly rate: number;
  /** Offset within one interval, 0–1, so the workers' schedules interleave evenly. */
  readonly phase: number;
  readonly maxConnections: number;
  readonly startAt: number;
  readonly endAt: number;
}

export class OpenModel implements LoadModel {
  readonly #request: ModelRequest;
  readonly #connections: Http1Connection[] = [];
  readonly #idle: Http1Connection[] = [];
  /** Intended start times of requests waiting for a connection, oldest first from #head. */
  #queue: number[] = [];
  #head = 0;
  #recorder: StepRecorder | undefined;
  #schedule: Schedule | undefined;
  #next = 0;
  #endAt = 0;
  #inFlight = 0;
  #timer: NodeJS.Timeout | undefined;
  #drained: (() => void) | undefined;
  readonly #done: Completion = (connection, status, error) => this.#finished(connection, status, error);
  readonly #tick = (): void => this.#dispatchDue();

  constructor(request: ModelRequest) {
    this.#request = request;
  }

  run(schedule: Schedule, recorder: StepRecorder): Promise<void> {
    this.#schedule = schedule;
    this.#recorder = recorder;
    this.#endAt = schedule.endAt;
    this.#next = 0;
    return new Promise<void>((resolve) => {
      this.#drained = resolve;
      this.#timer = setTimeout(this.#tick, Math.max(0, schedule.startAt - performance.now()));
    });
  }

  stop(): void {
    this.#endAt = Math.min(this.#endAt, performance.now());
    this.#checkDrained();
  }

  sweep(now: number, timeoutMs: number): void {
    for (const connection of this.#connections) {
      if (connection.busy && now - connection.sentAt > timeoutMs) connection.abort("timeout");
    }
    // Requests that waited for a connection longer than the timeout are never sent.
    while (this.#head < this.#queue.length && now - this.#queue[this.#head]! > timeoutMs) {
      this.#recorder!.finished(this.#queue[this.#head++]!, now, 0, "timeout");
    }
    this.#compactQueue();
    this.#checkDrained();
  }

  close(): void {
    clearTimeout(this.#timer);
    this.#idle.length = 0;
    for (const connection of this.#connections.splice(0)) connection.close();
  }

  #intended(k: number): number {
    const s = this.#schedule!;
    return s.startAt + ((k + s.phase) * 1000) / s.rate;
  }

  #dispatchDue(): void {
    this.#timer = undefined;
    const now = performance.now();
    let due = this.#intended(this.#next);
    while (due <= now && due < this.#endAt) {
      this.#dispatch(due, now);
      due = this.#intended(++this.#next);
    }
    if (due < this.#endAt) this.#timer = setTimeout(this.#tick, Math.max(1, Math.floor(due - now)));
    else this.#checkDrained();
  }

  #dispatch(intended: number, now: number): void {
    const connection = this.#idle.pop() ?? this.#open();
    this.#recorder!.started(now, connection !== undefined);
    if (connection === undefined) {
      this.#queue.push(intended);
      this.#recorder!.counts.queued++;
      return;
    }
    this.#send(connection, intended, now);
  }

  #open(): Http1Connection | undefined {
    if (this.#connections.length >= this.#schedule!.maxConnections) return undefined;
    const { target, bytes, noBody } = this.#request;
    const connection = new Http1Connection(target, bytes, noBody, this.#done);
    this.#connections.push(connection);
    return connection;
  }

  #send(connection: Http1Connection, intended: number, now: number): void {
    connection.startedAt = intended;
    this.#inFlight++;
    connection.send(now);
  }

  #finished(connection: Http1Connection, status: number, error: string | undefined): void {
    const now = performance.now();
    this.#inFlight--;
    this.#recorder!.finished(connection.startedAt, now, status, error);
    if (this.#head < this.#queue.length) {
      const intended = this.#queue[this.#head++]!;
      this.#compactQueue();
      this.#recorder!.sent(now);
      this.#send(connection, intended, now);
    } else {
      this.#idle.push(connection);
      this.#checkDrained();
    }
  }

  #compactQueue(): void {
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    if (this.#head === this.#queue.length && this.#head > 0) {
      this.#queue.length = 0;
      this.#head = 0;
    }
  }

  #checkDrained(): void {
    if (this.#timer !== undefined && performance.now() < this.#endAt) return;
    if (this.#inFlight > 0 || this.#head < this.#queue.length || this.#drained === undefined) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const drained = this.#drained;
    this.#drained = undefined;
    drained();
  }
}
