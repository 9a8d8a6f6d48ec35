import { TracewayError } from "../errors.ts";

/**
 * Requests waiting for a backend connection slot when `maxConnsPerBackend` is reached:
 * bounded in length and in waiting time, FIFO, woken one at a time as attempts finish.
 */
export class ConnectionQueue {
  readonly #size: number;
  readonly #timeoutMs: number;
  readonly #waiters: { wake: () => void; fail: (e: Error) => void; timer: NodeJS.Timeout | undefined }[] = [];

  constructor(size: number, timeoutMs: number) {
    this.#size = size;
    this.#timeoutMs = timeoutMs;
  }

  get length(): number {
    return this.#waiters.length;
  }

  /** Resolves when a slot may have freed; rejects with a 503 error when full or timed out. */
  wait(): Promise<void> {
    if (this.#waiters.length >= this.#size) {
      return Promise.reject(
        new TracewayError("QUEUE_FULL", `connection queue is full (${this.#size} waiting)`),
      );
    }
    return new Promise<void>((resolve, reject) => {
      const waiter = {
        wake: () => {
          if (waiter.timer) clearTimeout(waiter.timer);
          resolve();
        },
        fail: reject,
        timer: undefined as NodeJS.Timeout | undefined,
      };
      if (this.#timeoutMs > 0) {
        waiter.timer = setTimeout(() => {
          const i = this.#waiters.indexOf(waiter);
          if (i !== -1) this.#waiters.splice(i, 1);
          reject(
            new TracewayError("QUEUE_TIMEOUT", `no backend connection free within ${this.#timeoutMs}ms`),
          );
        }, this.#timeoutMs);
      }
      this.#waiters.push(waiter);
    });
  }

  /** A connection slot freed: let the oldest waiter try again. */
  release(): void {
    this.#waiters.shift()?.wake();
  }

  /** Fail everyone (shutdown). */
  clear(error: Error): void {
    for (const w of this.#waiters.splice(0)) {
      if (w.timer) clearTimeout(w.timer);
      w.fail(error);
    }
  }
}
