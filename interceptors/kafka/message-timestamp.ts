/** Longest all-digit string parsed by hand: 15 digits stay below 2^53, so the sum is exact. */
const MAX_FAST_DIGITS = 15;

/** `Number(text)` for a string of decimal digits, without the generic string-to-number path. */
function parseDigits(text: string): number {
  const length = text.length;
  if (length === 0 || length > MAX_FAST_DIGITS) return Number(text);
  let value = 0;
  for (let i = 0; i < length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return Number(text);
    value = value * 10 + digit;
  }
  return value;
}

/**
 * The epoch milliseconds of kafkajs' message timestamps (decimal strings), one partition's
 * messages after another. Parsing the string was the costliest single step of recording a
 * message (a third of the interceptor's own time in scripts/kafka-handler-probe.ts), and
 * messages in a row mostly carry the same timestamp: kafkajs' producer stamps a whole `send`
 * with one `Date.now()`, and at thousands of messages a second any producer repeats the
 * millisecond. So the last string and its value are kept, and a repeat costs one comparison.
 */
export class TimestampReader {
  #last: string | undefined;
  #lastMs = Number.NaN;

  /** `Number(timestamp)`, i.e. NaN for anything that is not a number. */
  read(timestamp: string): number {
    if (timestamp === this.#last) return this.#lastMs;
    const ms = typeof timestamp === "string" ? parseDigits(timestamp) : Number(timestamp);
    this.#last = timestamp;
    this.#lastMs = ms;
    return ms;
  }
}
