/**
 * One progress line on stderr. On a terminal it is rewritten in place; in a log (CI, a pipe) each
 * update is its own line so the log still shows where a run spent its time.
 */
export class Progress {
  readonly #startedAt = Date.now();
  readonly #tty = process.stderr.isTTY;
  #drawn = false;

  update(text: string): void {
    const line = `[bench ${this.elapsed()}] ${text}`;
    if (this.#tty) {
      process.stderr.write(`\r\x1b[K${line.slice(0, (process.stderr.columns || 120) - 1)}`);
      this.#drawn = true;
    } else {
      process.stderr.write(`${line}\n`);
    }
  }

  /** A message that must stay visible (a warning), printed below the progress line. */
  note(text: string): void {
    this.clear();
    process.stderr.write(`[bench ${this.elapsed()}] ${text}\n`);
  }

  clear(): void {
    if (this.#drawn) process.stderr.write("\r\x1b[K");
    this.#drawn = false;
  }

  elapsedSeconds(): number {
    return (Date.now() - this.#startedAt) / 1000;
  }

  elapsed(): string {
    const s = Math.floor(this.elapsedSeconds());
    return `${String(Math.floor(s / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
  }
}
