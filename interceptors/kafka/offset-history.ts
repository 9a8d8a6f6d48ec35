interface HighWatermarkSample {
  readonly high: number;
  readonly firstSeenMs: number;
  lastSeenMs: number;
}

/**
 * Remembers when the monitor saw each high watermark of one partition, to turn an offset lag into
 * a time lag by interpolation (the method of kafka-lag-exporter): the message at offset `o` was
 * appended between the last poll whose high watermark was ≤ `o` and the first poll whose high
 * watermark was > `o`; within that interval production is assumed uniform. The estimate is
 * therefore off by at most one poll interval, and exact when production is steady.
 */
export class OffsetHistory {
  readonly #samples: HighWatermarkSample[] = [];
  readonly #capacity: number;

  constructor(capacity: number) {
    this.#capacity = Math.max(2, capacity);
  }

  record(high: number, atMs: number): void {
    const last = this.#samples[this.#samples.length - 1];
    if (last !== undefined && last.high === high) {
      last.lastSeenMs = atMs;
      return;
    }
    this.#samples.push({ high, firstSeenMs: atMs, lastSeenMs: atMs });
    if (this.#samples.length > this.#capacity) this.#samples.shift();
  }

  /**
   * Seconds since the message at `offset` (the next one the group will read) was appended.
   * 0 when `offset` is at or past the newest high watermark. When `offset` predates the whole
   * history, returns the time since the oldest sample: a lower bound.
   */
  ageSeconds(offset: number, nowMs: number): number {
    const newest = this.#samples[this.#samples.length - 1];
    if (newest === undefined || offset >= newest.high) return 0;
    let before: HighWatermarkSample | undefined;
    for (const sample of this.#samples) {
      if (sample.high > offset) {
        if (before === undefined) return Math.max(0, nowMs - sample.firstSeenMs) / 1000;
        const fraction = (offset + 1 - before.high) / (sample.high - before.high);
        const appendedAtMs = before.lastSeenMs + fraction * (sample.firstSeenMs - before.lastSeenMs);
        return Math.max(0, nowMs - appendedAtMs) / 1000;
      }
      before = sample;
    }
    return 0;
  }
}
