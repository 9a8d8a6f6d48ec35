/**
 * The live progress line of a running step, on stderr: rewritten in place on a terminal, printed
 * as a new line at a steady interval otherwise (CI logs), so stdout keeps only the step table.
 */
import type { LiveStep } from "./generator.ts";
import { formatCount, formatMs, formatPercent, formatRate } from "./format.ts";
import { percentileMs } from "./latency-histogram.ts";

/** Without a terminal a line every few seconds shows life in a CI log without flooding it. */
export const DEFAULT_PLAIN_INTERVAL_MS = 5000;

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

export class ProgressLine {
  readonly #stream: ProgressStream;
  readonly #tty: boolean;
  readonly #intervalMs: number;
  #label = "";
  #durationMs = 0;
  #printedAt = 0;
  #shown = false;
  #previous: { elapsedMs: number; completed: number } = { elapsedMs: 0, completed: 0 };

  constructor(stream: ProgressStream, intervalMs: number | undefined) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
    this.#intervalMs = intervalMs ?? (this.#tty ? 0 : DEFAULT_PLAIN_INTERVAL_MS);
  }

  begin(label: string, durationMs: number): void {
    this.#label = label;
    this.#durationMs = durationMs;
    this.#printedAt = 0;
    this.#previous = { elapsedMs: 0, completed: 0 };
  }

  update(live: LiveStep): void {
    if (!this.#tty && live.elapsedMs - this.#printedAt < this.#intervalMs) return;
    const line = this.#format(live);
    this.#printedAt = live.elapsedMs;
    if (this.#tty) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#shown = true;
    } else {
      this.#stream.write(`${line}\n`);
    }
  }

  /** Erases the in-place line before the step's row goes to stdout. */
  end(): void {
    if (this.#tty && this.#shown) this.#stream.write("\r\x1b[2K");
    this.#shown = false;
  }

  #format(live: LiveStep): string {
    const { counts, histogram, elapsedMs } = live;
    const span = elapsedMs - this.#previous.elapsedMs;
    // Throughput over the time since the last line: what the target does now, not since the start.
    const rate = span > 0 ? ((counts.completedInWindow - this.#previous.completed) * 1000) / span : 0;
    this.#previous = { elapsedMs, completed: counts.completedInWindow };
    const errorRate = counts.finished === 0 ? 0 : counts.errors / counts.finished;
    return [
      this.#label,
      `${(elapsedMs / 1000).toFixed(1)}/${(this.#durationMs / 1000).toFixed(1)}s`,
      `${formatRate(rate)} req/s`,
      `p50 ${formatMs(percentileMs(histogram, 50))}`,
      `p99 ${formatMs(percentileMs(histogram, 99))}`,
      `errors ${formatCount(counts.errors)} (${formatPercent(errorRate)})`,
    ].join("  ");
  }
}
