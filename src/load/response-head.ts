/**
 * Reads a response head (status line and headers, without the final blank line) straight from the
 * bytes: the status and the three headers that decide framing and reuse (Content-Length,
 * Transfer-Encoding, Connection). Every other header is skipped without becoming a string, and the
 * common forms of those three are read without allocating: the head parser was the largest item
 * in the generator's profile, after the socket write itself.
 */

const CR = 13;
const LF = 10;
const SP = 0x20;
const TAB = 9;
const COLON = 58;
const COMMA = 44;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
/** ASCII letters OR 0x20 are lower case; '-' is unchanged by it. */
const LOWER = 0x20;
const HTTP1 = Buffer.from("HTTP/1.");
/** Largest Content-Length accepted: 15 digits stay exact in a double. */
const MAX_LENGTH_DIGITS = 15;

export class ResponseParseError extends Error {
  override readonly name = "ResponseParseError";
}

/** What a head says; one instance per parser, overwritten by every head. */
export class ResponseHead {
  status = 0;
  keepAlive = true;
  /** -1 when there is no Content-Length. */
  length = -1;
  chunked = false;
}

/** Parses data[start, end) into `head`; throws ResponseParseError naming what is wrong. */
export function parseHead(data: Buffer, start: number, end: number, head: ResponseHead): void {
  head.status = statusOf(data, start, end);
  head.keepAlive = data[start + 7] === DIGIT_1; // HTTP/1.1 keeps the connection unless told otherwise
  head.length = -1;
  head.chunked = false;
  let lineStart = data.indexOf(LF, start) + 1;
  while (lineStart > 0 && lineStart < end) {
    let lineEnd = data.indexOf(CR, lineStart);
    if (lineEnd === -1 || lineEnd > end) lineEnd = end;
    const first = data[lineStart]! | LOWER;
    // Only names starting with c or t can matter: a cheap filter before any comparison.
    if (first === 0x63 || first === 0x74) {
      const colon = data.indexOf(COLON, lineStart);
      if (colon !== -1 && colon < lineEnd) header(data, lineStart, colon, lineEnd, head);
    }
    lineStart = lineEnd + 2;
  }
}

function header(data: Buffer, nameStart: number, colon: number, lineEnd: number, head: ResponseHead): void {
  if (named(data, nameStart, colon, "content-length")) {
    const length = contentLength(data, colon + 1, lineEnd);
    if (head.length >= 0 && head.length !== length)
      throw new ResponseParseError("conflicting content-length headers");
    head.length = length;
  } else if (named(data, nameStart, colon, "connection")) {
    head.keepAlive = connectionKeepAlive(data, colon + 1, lineEnd, head.keepAlive);
  } else if (named(data, nameStart, colon, "transfer-encoding")) {
    // Chunked must be the last coding (RFC 9112 §6.1); rare enough to read as a string.
    head.chunked =
      valueText(data, colon + 1, lineEnd)
        .split(",")
        .at(-1)
        ?.trim() === "chunked";
  }
}

/** "HTTP/1.x NNN" at the start of the head. */
function statusOf(data: Buffer, start: number, end: number): number {
  const minor = data[start + 7];
  const d0 = (data[start + 9] ?? 0) - DIGIT_0;
  const d1 = (data[start + 10] ?? 0) - DIGIT_0;
  const d2 = (data[start + 11] ?? 0) - DIGIT_0;
  const after = data[start + 12];
  const ok =
    end - start >= 12 &&
    data.compare(HTTP1, 0, HTTP1.length, start, start + HTTP1.length) === 0 &&
    (minor === DIGIT_0 || minor === DIGIT_1) &&
    data[start + 8] === SP &&
    isDigit(d0) &&
    isDigit(d1) &&
    isDigit(d2) &&
    (end - start === 12 || after === SP || after === CR);
  if (!ok) {
    const line = data.toString("latin1", start, Math.min(end, start + 60)).split("\r")[0];
    throw new ResponseParseError(`bad status line ${JSON.stringify(line)}`);
  }
  return d0 * 100 + d1 * 10 + d2;
}

const isDigit = (d: number): boolean => d >= 0 && d <= 9;

/** Whether the header name in data[start, colon) is `lower`, ignoring case. */
function named(data: Buffer, start: number, colon: number, lower: string): boolean {
  if (colon - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((data[start + i]! | LOWER) !== lower.charCodeAt(i)) return false;
  return true;
}

/** Skips optional whitespace (RFC 9110 §5.6.3) from `i` towards `end`. */
function skipOws(data: Buffer, i: number, end: number): number {
  while (i < end && (data[i] === SP || data[i] === TAB)) i++;
  return i;
}

function contentLength(data: Buffer, from: number, end: number): number {
  let i = skipOws(data, from, end);
  let length = 0;
  let digits = 0;
  for (; i < end && isDigit(data[i]! - DIGIT_0); i++, digits++) length = length * 10 + data[i]! - DIGIT_0;
  if (digits > 0 && digits <= MAX_LENGTH_DIGITS && skipOws(data, i, end) === end) return length;
  return contentLengthList(valueText(data, from, end));
}

/** A list of equal values is one length (RFC 9110 §8.6); differing ones are a framing attack. */
function contentLengthList(value: string): number {
  const parts = value.split(",").map((v) => v.trim());
  const first = parts[0]!;
  if (!/^\d{1,15}$/.test(first) || parts.some((v) => v !== first)) {
    throw new ResponseParseError(`bad content-length ${JSON.stringify(value)}`);
  }
  return Number(first);
}

function connectionKeepAlive(data: Buffer, from: number, end: number, current: boolean): boolean {
  const start = skipOws(data, from, end);
  let stop = end;
  while (stop > start && (data[stop - 1] === SP || data[stop - 1] === TAB)) stop--;
  if (data.indexOf(COMMA, start) === -1 || data.indexOf(COMMA, start) >= stop) {
    if (named(data, start, stop, "close")) return false;
    if (named(data, start, stop, "keep-alive")) return true;
    return current;
  }
  for (const token of valueText(data, from, end).split(",")) {
    const t = token.trim();
    if (t === "close") return false;
    if (t === "keep-alive") return true;
  }
  return current;
}

function valueText(data: Buffer, from: number, end: number): string {
  return data.toString("latin1", from, end).trim().toLowerCase();
}
