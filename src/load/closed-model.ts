/**
 * The closed model (`--mode connections`): N keep-alive connections, each sending its next request
 * as soon as the last one is answered, like wrk. Latency runs from the moment a request is written,
 * so it is the service time the connection saw; queueing in front of the target shows up as lower
 * throughput, not as latency (the coordinated omission the open model avoids).
 */
import { Http1Connection, type Completion } from "./http1-connection.ts";
import type { LoadModel, ModelRequest } from "./load-model.ts";
import type { StepRecorder } from "./step-recorder.ts";

export class ClosedModel implements LoadModel {
  readonly #request: ModelRequest;
  /** Kept from step to step, so a step starts on warm connections (as wrk's threads do). */
  readonly #connections: Http1Connection[] = [];
  #recorder: StepRecorder | undefined;
  /** Between the window's start and end: a finished request is followed by the next one. */
  #open = false;
  #startTimer: NodeJS.Timeout | undefined;
  #endTimer: NodeJS.Timeout | undefined;
  #inFlight = 0;
  #drained: (() => void) | undefined;
  readonly #done: Completion = (connection, status, error) => this.#finished(connection, status, error);

  constructor(request: ModelRequest) {
    this.#request = request;
  }

  /** Runs one window of `connections` loops; resolves when every request started in it has ended. */
  run(connections: number, startAt: number, endAt: number, recorder: StepRecorder): Promise<void> {
    this.#resize(connections);
    this.#recorder = recorder;
    return new Promise<void>((resolve) => {
      this.#drained = resolve;
      this.#startTimer = setTimeout(
        () => {
          this.#startTimer = undefined;
          this.#open = true;
          const now = performance.now();
          for (const connection of this.#connections) this.#start(connection, now);
          // The window is closed by this timer, not by comparing clocks: timers may fire a fraction
          // of a millisecond before performance.now() reaches endAt, and a comparison would then
          // leave a window with no requests in flight open for ever.
          this.#endTimer = setTimeout(() => this.stop(), Math.max(0, endAt - performance.now()));
        },
        Math.max(0, startAt - performance.now()),
      );
    });
  }

  /** Ends the window now (or before it began): no new requests; the ones in flight finish or time out. */
  stop(): void {
    this.#open = false;
    this.#checkDrained();
  }

  sweep(now: number, timeoutMs: number): void {
    for (const connection of this.#connections) {
      if (connection.busy && now - connection.sentAt > timeoutMs) connection.abort("timeout");
    }
  }

  close(): void {
    for (const connection of this.#connections.splice(0)) connection.close();
  }

  #resize(connections: number): void {
    while (this.#connections.length < connections) {
      const { target, bytes, noBody } = this.#request;
      this.#connections.push(new Http1Connection(target, bytes, noBody, this.#done));
    }
    for (const extra of this.#connections.splice(connections)) extra.close();
  }

  #start(connection: Http1Connection, now: number): void {
    connection.startedAt = now;
    this.#inFlight++;
    this.#recorder!.started(now, true);
    connection.send(now);
  }

  #finished(connection: Http1Connection, status: number, error: string | undefined): void {
    const now = performance.now();
    this.#inFlight--;
    this.#recorder!.finished(connection.startedAt, now, status, error);
    if (this.#open) this.#start(connection, now);
    else this.#checkDrained();
  }

  #checkDrained(): void {
    if (this.#open || this.#inFlight > 0 || this.#drained === undefined) return;
    clearTimeout(this.#startTimer);
    clearTimeout(this.#endTimer);
    this.#startTimer = this.#endTimer = undefined;
    const drained = this.#drained;
    this.#drained = undefined;
    drained();
  }
}
