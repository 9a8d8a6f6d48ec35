import { write, writeSync } from "node:fs";
import type { DestinationStream } from "pino";

/**
 * Characters of log lines gathered before one write(2): about 50 access lines. pino's sonic-boom
 * was measured for this job and costs more per line buffered than unbuffered (it measures the
 * UTF-8 length of its whole pending string on every line); see bench/log-destinations.ts.
 */
export const LOG_BUFFER_CHARS = 16 * 1024;
/** Lines wait at most this long in the buffer: Envoy's access-log `file_flush_interval` default. */
export const LOG_FLUSH_INTERVAL_MS = 1000;
/**
 * Characters held while the reader of stdout does not keep up (a stalled pipe): about 25 000
 * access lines. Beyond it lines are dropped and counted rather than stalling traffic or memory.
 */
export const LOG_MAX_PENDING_CHARS = 8 * 1024 * 1024;
/** Pause before writing again to a full non-blocking pipe. */
const RETRY_MS = 10;
/** How long shutdown waits for the last lines to be taken by a slow reader of stdout. */
const CLOSE_TIMEOUT_MS = 5000;

/** Where the loggers write: access lines to `buffered`, the rest to `prompt`. */
export interface LogOutputs {
  readonly buffered: DestinationStream;
  readonly prompt: DestinationStream;
  /** Resolves when every line written so far is out. */
  close(): Promise<void>;
}

/** A caller's own destination (tests, embedders), used as is for both. */
export function logOutputs(destination: DestinationStream | undefined): LogOutputs {
  if (destination === undefined) return new LogSink();
  return { buffered: destination, prompt: destination, close: () => Promise.resolve() };
}

/**
 * One buffered, asynchronous writer to a file descriptor (stdout) for every logger of the process.
 * One writer, not one per logger: two writers to one pipe may interleave inside a line.
 *
 * - `buffered` (access lines): out when {@link LOG_BUFFER_CHARS} have gathered, or after
 *   {@link LOG_FLUSH_INTERVAL_MS}, whichever comes first; one write in flight at a time, so
 *   lines leave in order and the event loop never waits for the reader.
 * - `prompt` (everything else, rare): out at the end of the current event-loop turn.
 * - `close()` writes what is left before the process exits; later lines are written synchronously.
 *   A process that exits without it (a crash) writes what is left synchronously on `exit`.
 */
export class LogSink implements LogOutputs {
  readonly #fd: number;
  readonly #maxPendingChars: number;
  #pending: string[] = [];
  #pendingChars = 0;
  /** The bytes of the write in flight and how many of them are out. */
  #inFlight: Buffer | undefined;
  /** A prompt line is waiting: the next write may not wait for the buffer to fill. */
  #urgent = false;
  #broken = false;
  #closed = false;
  /** Lines dropped since the last report on stderr. */
  #dropped = 0;
  #onIdle: (() => void) | undefined;
  #closing: Promise<void> | undefined;
  /** write(2) calls made (partial writes and EAGAIN retries included). */
  #writes = 0;
  readonly #timer: NodeJS.Timeout;

  readonly buffered: DestinationStream = {
    write: (line: string) => {
      if (this.#add(line) && this.#pendingChars >= LOG_BUFFER_CHARS) this.#writeOut();
    },
  };
  readonly prompt: DestinationStream = {
    write: (line: string) => {
      if (!this.#add(line) || this.#urgent) return;
      this.#urgent = true;
      setImmediate(() => this.#writeOut());
    },
  };

  constructor(options: { fd?: number; maxPendingChars?: number } = {}) {
    this.#fd = options.fd ?? 1;
    this.#maxPendingChars = options.maxPendingChars ?? LOG_MAX_PENDING_CHARS;
    this.#timer = setInterval(() => {
      // Due now: if a write is in flight, its completion sends them.
      this.#urgent = true;
      this.#writeOut();
      this.#reportDropped();
    }, LOG_FLUSH_INTERVAL_MS).unref();
    process.once("exit", this.#writeRestNow);
  }

  /** On stderr: stdout is the output that is not keeping up. */
  #reportDropped(): void {
    if (this.#dropped === 0) return;
    process.stderr.write(`traceway: stdout is not keeping up; ${this.#dropped} log lines dropped\n`);
    this.#dropped = 0;
  }

  /** False when the line is not kept (dropped, or already written because the sink is closed). */
  #add(line: string): boolean {
    if (this.#broken) return false;
    if (this.#closed) {
      this.#writeNow(line);
      return false;
    }
    if (this.#pendingChars + line.length > this.#maxPendingChars) {
      this.#dropped += 1;
      return false;
    }
    this.#pending.push(line);
    this.#pendingChars += line.length;
    return true;
  }

  /** How many writes this sink has made: lines per write is what its buffering is worth. */
  get writes(): number {
    return this.#writes;
  }

  #writeOut(): void {
    // Called again when the write in flight is done; `#urgent` stays set until then.
    if (this.#inFlight !== undefined || this.#broken) return;
    this.#urgent = false;
    if (this.#pendingChars === 0) {
      this.#onIdle?.();
      return;
    }
    const data = Buffer.from(this.#pending.join(""));
    this.#pending = [];
    this.#pendingChars = 0;
    this.#send(data);
  }

  #send(data: Buffer): void {
    this.#inFlight = data;
    this.#writes += 1;
    write(this.#fd, data, 0, data.length, null, (err, written) => {
      this.#inFlight = undefined;
      if (err) return this.#failed(err, data);
      if (written < data.length) return this.#send(data.subarray(written));
      // Only what must not wait: a full buffer, a prompt line, or shutdown. Writing whatever
      // gathered during the write would, under load, send a few lines per write(2), one after
      // another: the batching gone (measured: a write every 1–2 access lines at 4 000 req/s).
      if (this.#pendingChars >= LOG_BUFFER_CHARS || this.#urgent || this.#onIdle !== undefined)
        this.#writeOut();
    });
  }

  #failed(err: NodeJS.ErrnoException, data: Buffer): void {
    if (err.code === "EAGAIN") {
      // A full non-blocking pipe: the same bytes again shortly, keeping their place in the order.
      this.#inFlight = data;
      setTimeout(() => this.#send(data), RETRY_MS).unref();
      return;
    }
    // EPIPE: nobody reads stdout any more. Anything else: say so once, where it can still be read.
    if (err.code !== "EPIPE")
      process.stderr.write(`traceway: log output failed, logging stops: ${err.message}\n`);
    this.#broken = true;
    this.#pending = [];
    this.#pendingChars = 0;
    this.#onIdle?.();
  }

  #writeNow(text: string): void {
    try {
      writeSync(this.#fd, text);
    } catch {
      // Nothing left to tell: the output itself failed.
    }
  }

  /**
   * On `exit` without close() (a crash): the lines not yet handed to a write, synchronously. A
   * write in flight is the kernel's already, or lost with the process; sending it again could
   * duplicate it.
   */
  readonly #writeRestNow = (): void => {
    if (this.#broken || this.#closed) return;
    this.#closed = true;
    if (this.#pendingChars > 0) this.#writeNow(this.#pending.join(""));
  };

  /** Writes every buffered line, in order, then resolves. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    clearInterval(this.#timer);
    const idle = new Promise<boolean>((resolve) => (this.#onIdle = () => resolve(true)));
    this.#writeOut();
    const gaveUp = new Promise<boolean>((resolve) =>
      setTimeout(() => resolve(false), CLOSE_TIMEOUT_MS).unref(),
    );
    const done = await Promise.race([idle, gaveUp]);
    process.off("exit", this.#writeRestNow);
    this.#closed = true;
    this.#reportDropped();
    if (!done) {
      const lost = this.#pending.length + (this.#inFlight === undefined ? 0 : 1);
      process.stderr.write(
        `traceway: stdout took no log lines for ${CLOSE_TIMEOUT_MS} ms; ${lost} writes not made\n`,
      );
    }
  }
}
