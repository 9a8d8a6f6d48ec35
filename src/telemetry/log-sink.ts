import { writeSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import pino from "pino";
import type { DestinationStream } from "pino";

/**
 * Bytes of log lines gathered before one write(2): about 50 access lines. Measured with
 * bench/log-destinations.ts against a synchronous write per line and pino's worker-thread
 * transport (docs/telemetry.md, Logs). sonic-boom needs it below its 16 KiB write size.
 */
export const LOG_BUFFER_BYTES = 16 * 1024 - 1;
/** Lines wait at most this long in the buffer: Envoy's access-log `file_flush_interval` default. */
export const LOG_FLUSH_INTERVAL_MS = 1000;
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
 * - `buffered` (access lines): out when the buffer is full or after {@link LOG_FLUSH_INTERVAL_MS}.
 * - `prompt` (everything else; rare): flushed at the end of the current event-loop turn.
 * - `close()` writes what is left, in order, before the process exits; lines logged afterwards are
 *   written synchronously. pino also flushes it synchronously on `exit`, e.g. after a crash.
 */
export class LogSink implements LogOutputs {
  readonly #fd: number;
  readonly #boom: ReturnType<typeof pino.destination>;
  readonly #timer: NodeJS.Timeout;
  /** Something was written since the last flush. */
  #dirty = false;
  /** A prompt line may still sit in the buffer: flush again when the write in progress ends. */
  #promptPending = false;
  #flushScheduled = false;
  #broken = false;
  /** Resolves when the output failed for good: nothing left to wait for. */
  #gaveUp: () => void = () => {};
  readonly #failed = new Promise<void>((resolve) => (this.#gaveUp = resolve));
  #closing: Promise<void> | undefined;

  readonly buffered: DestinationStream = { write: (line: string) => this.#write(line) };
  readonly prompt: DestinationStream = {
    write: (line: string) => {
      this.#write(line);
      this.#promptPending = true;
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#flush);
      }
    },
  };

  constructor(fd = 1) {
    this.#fd = fd;
    this.#boom = pino.destination({ dest: fd, sync: false, minLength: LOG_BUFFER_BYTES });
    this.#boom.on("drain", () => {
      if (!this.#promptPending) return;
      this.#promptPending = false;
      this.#boom.flush();
    });
    // pino's own listener turns the writer into a no-op on EPIPE (nobody reads stdout any more).
    this.#boom.on("error", (err: NodeJS.ErrnoException) => {
      if (!this.#broken && err.code !== "EPIPE")
        process.stderr.write(`traceway: log output failed: ${err.message}\n`);
      this.#broken = true;
      this.#gaveUp();
    });
    this.#timer = setInterval(() => {
      if (!this.#dirty) return;
      this.#dirty = false;
      this.#boom.flush();
    }, LOG_FLUSH_INTERVAL_MS).unref();
  }

  readonly #flush = (): void => {
    this.#flushScheduled = false;
    this.#dirty = false;
    this.#boom.flush();
  };

  #write(line: string): void {
    this.#dirty = true;
    try {
      this.#boom.write(line);
    } catch {
      // Closed (or broken): the event loop may be about to end, so write it now.
      if (!this.#broken) writeSync(this.#fd, line);
    }
  }

  /** Writes every buffered line (asynchronously, in order), then resolves. Safe to call twice. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      clearInterval(this.#timer);
      const closed = new Promise<void>((resolve) => this.#boom.once("close", resolve));
      if (!this.#broken) this.#boom.end();
      await Promise.race([closed, this.#failed, delay(CLOSE_TIMEOUT_MS, undefined, { ref: false })]);
    })();
    return this.#closing;
  }
}
