/**
 * Incremental HTTP/1.1 response parser for the load generator: one response at a time (the
 * generator never pipelines), bodies counted and discarded, only the three headers that decide
 * framing and reuse are read (content-length, transfer-encoding, connection). Everything else a
 * full client does per response (header objects, body streams) is what made undici 3–4× slower
 * than this path on the bench machine (see http1-connection.ts).
 */

/** Largest response head accepted; nginx's default large_client_header_buffers is 4 × 8 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Chunk-size lines and trailer lines longer than this are refused (a hex size is ≤ 16 digits). */
const MAX_LINE_BYTES = 4096;

const CR = 13;
const LF = 10;
const COLON = 58;
const DIGIT_0 = 48;
const DIGIT_1 = 49;
/** ASCII letters OR 0x20 are lower case; '-' is unchanged by it. */
const LOWER = 0x20;
const HTTP1 = Buffer.from("HTTP/1.");
const HEAD_END = Buffer.from("\r\n\r\n");

// Parser states as small integers (the hot path compares them per chunk); no enums under type stripping.
const State = {
  Head: 0,
  Length: 1,
  ChunkSize: 2,
  ChunkData: 3,
  ChunkDataEnd: 4,
  Trailers: 5,
  UntilClose: 6,
  Done: 7,
} as const;
type State = (typeof State)[keyof typeof State];

/** What {@link ResponseParser.execute} made of a chunk. */
export type ParseStep = "more" | "done";

export class ResponseParseError extends Error {
  override readonly name = "ResponseParseError";
}

export class ResponseParser {
  /** Status of the final (non-1xx) response. */
  status = 0;
  /** Whether the connection may carry another request after this response. */
  keepAlive = true;
  /** Body bytes received (after de-chunking). */
  bodyBytes = 0;
  #state: State = State.Head;
  #pending: Buffer | undefined;
  #remaining = 0;
  #line = "";
  #noBody = false;

  /** Starts a new response; `noBody` for HEAD requests, whose responses carry headers only. */
  reset(noBody: boolean): void {
    this.status = 0;
    this.keepAlive = true;
    this.bodyBytes = 0;
    this.#state = State.Head;
    this.#pending = undefined;
    this.#remaining = 0;
    this.#line = "";
    this.#noBody = noBody;
  }

  /** Feeds bytes; "done" once the response is complete. Bytes past the response are a protocol error. */
  execute(chunk: Buffer): ParseStep {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.#state === State.Done) {
        throw new ResponseParseError(`${chunk.length - offset} unexpected bytes after the response`);
      }
      offset = this.#step(chunk, offset);
    }
    return this.#state === State.Done ? "done" : "more";
  }

  /** The connection closed: completes a read-until-close body, anything else was cut short. */
  end(): ParseStep {
    if (this.#state === State.UntilClose) {
      this.#state = State.Done;
      return "done";
    }
    if (this.#state === State.Done) return "done";
    throw new ResponseParseError("connection closed before the response ended");
  }

  #step(chunk: Buffer, offset: number): number {
    switch (this.#state) {
      case State.Head:
        return this.#head(chunk, offset);
      case State.Length:
      case State.ChunkData:
        return this.#counted(chunk, offset);
      case State.UntilClose:
        this.bodyBytes += chunk.length - offset;
        return chunk.length;
      case State.ChunkSize:
      case State.ChunkDataEnd:
      case State.Trailers:
        return this.#lines(chunk, offset);
      default:
        return chunk.length;
    }
  }

  #head(chunk: Buffer, offset: number): number {
    // Heads almost always arrive whole; the copy into #pending happens only when one is split.
    const start = this.#pending === undefined ? 0 : this.#pending.length;
    const data =
      this.#pending === undefined
        ? chunk.subarray(offset)
        : Buffer.concat([this.#pending, chunk.subarray(offset)]);
    const end = data.indexOf(HEAD_END, Math.max(0, start - 3));
    if (end === -1) {
      if (data.length > MAX_HEAD_BYTES)
        throw new ResponseParseError(`response head larger than ${MAX_HEAD_BYTES} bytes`);
      this.#pending = Buffer.from(data);
      return chunk.length;
    }
    this.#pending = undefined;
    this.#parseHead(data, end);
    return offset + (end + 4 - start);
  }

  /**
   * Reads the status line and the three framing headers straight from the bytes: the other headers
   * are skipped without being turned into strings, the cost that dominated this parser's profile.
   */
  #parseHead(data: Buffer, end: number): void {
    const status = statusOf(data, end);
    let keepAlive = data[7] === DIGIT_1; // HTTP/1.1 keeps the connection unless told otherwise
    let length = -1;
    let chunked = false;
    let lineStart = data.indexOf(LF) + 1;
    while (lineStart > 0 && lineStart < end) {
      let lineEnd = data.indexOf(CR, lineStart);
      if (lineEnd === -1 || lineEnd > end) lineEnd = end;
      const first = data[lineStart]! | LOWER;
      if (first === 0x63 || first === 0x74) {
        const colon = data.indexOf(COLON, lineStart);
        if (colon !== -1 && colon < lineEnd) {
          if (named(data, lineStart, colon, "content-length")) {
            length = contentLength(headerValue(data, colon, lineEnd), length);
          } else if (named(data, lineStart, colon, "connection")) {
            keepAlive = connectionKeepAlive(headerValue(data, colon, lineEnd), keepAlive);
          } else if (named(data, lineStart, colon, "transfer-encoding")) {
            chunked = headerValue(data, colon, lineEnd).split(",").at(-1)?.trim() === "chunked";
          }
        }
      }
      lineStart = lineEnd + 2;
    }
    if (status >= 100 && status < 200) {
      // 100 Continue / 103 Early Hints precede the real response on the same request (RFC 9110 §15.2).
      this.#state = State.Head;
      return;
    }
    this.status = status;
    this.keepAlive = keepAlive;
    if (this.#noBody || status === 204 || status === 304) this.#state = State.Done;
    else if (chunked) this.#state = State.ChunkSize;
    else if (length >= 0) this.#startCounted(length, State.Length);
    else {
      // No framing: the body runs until the server closes (RFC 9112 §6.3 rule 8).
      this.keepAlive = false;
      this.#state = State.UntilClose;
    }
  }

  #startCounted(length: number, state: typeof State.Length | typeof State.ChunkData): void {
    this.#remaining = length;
    if (length > 0) this.#state = state;
    else this.#state = state === State.Length ? State.Done : State.ChunkDataEnd;
  }

  #counted(chunk: Buffer, offset: number): number {
    const take = Math.min(this.#remaining, chunk.length - offset);
    this.#remaining -= take;
    this.bodyBytes += take;
    if (this.#remaining === 0) this.#state = this.#state === State.Length ? State.Done : State.ChunkDataEnd;
    return offset + take;
  }

  /** Chunk-size lines, the CRLF after each chunk, and trailer lines: read line by line. */
  #lines(chunk: Buffer, offset: number): number {
    const lf = chunk.indexOf(LF, offset);
    const end = lf === -1 ? chunk.length : lf + 1;
    this.#line += chunk.toString("latin1", offset, end);
    if (this.#line.length > MAX_LINE_BYTES)
      throw new ResponseParseError("chunk-size or trailer line too long");
    if (lf === -1) return end;
    const line =
      this.#line.charCodeAt(this.#line.length - 2) === CR ? this.#line.slice(0, -2) : this.#line.slice(0, -1);
    this.#line = "";
    if (this.#state === State.ChunkDataEnd) {
      if (line !== "") throw new ResponseParseError("missing CRLF after chunk data");
      this.#state = State.ChunkSize;
    } else if (this.#state === State.ChunkSize) {
      const size = chunkSize(line);
      if (size === 0) this.#state = State.Trailers;
      else this.#startCounted(size, State.ChunkData);
    } else if (line === "") {
      this.#state = State.Done;
    }
    return end;
  }
}

/** "HTTP/1.x NNN" at the start of the head, or a ResponseParseError quoting the line. */
function statusOf(data: Buffer, end: number): number {
  const minor = data[7];
  const d0 = (data[9] ?? 0) - DIGIT_0;
  const d1 = (data[10] ?? 0) - DIGIT_0;
  const d2 = (data[11] ?? 0) - DIGIT_0;
  const ok =
    end >= 12 &&
    data.compare(HTTP1, 0, HTTP1.length, 0, HTTP1.length) === 0 &&
    (minor === DIGIT_0 || minor === DIGIT_1) &&
    data[8] === 0x20 &&
    d0 >= 0 &&
    d0 <= 9 &&
    d1 >= 0 &&
    d1 <= 9 &&
    d2 >= 0 &&
    d2 <= 9 &&
    (end === 12 || data[12] === 0x20 || data[12] === CR);
  if (!ok) {
    const line = data.toString("latin1", 0, Math.min(end, 60)).split("\r")[0];
    throw new ResponseParseError(`bad status line ${JSON.stringify(line)}`);
  }
  return d0 * 100 + d1 * 10 + d2;
}

function headerValue(data: Buffer, colon: number, lineEnd: number): string {
  return data
    .toString("latin1", colon + 1, lineEnd)
    .trim()
    .toLowerCase();
}

/** Whether the header name in data[start, colon) is `lower`, ignoring case. */
function named(data: Buffer, start: number, colon: number, lower: string): boolean {
  if (colon - start !== lower.length) return false;
  for (let i = 0; i < lower.length; i++) if ((data[start + i]! | LOWER) !== lower.charCodeAt(i)) return false;
  return true;
}

function contentLength(value: string, previous: number): number {
  if (/^\d{1,15}$/.test(value)) {
    const length = Number(value);
    if (previous >= 0 && previous !== length)
      throw new ResponseParseError("conflicting content-length headers");
    return length;
  }
  // A list of equal values is allowed (RFC 9110 §8.6); differing ones are a framing attack.
  const first = value.split(",")[0]!.trim();
  if (!/^\d{1,15}$/.test(first) || value.split(",").some((v) => v.trim() !== first)) {
    throw new ResponseParseError(`bad content-length ${JSON.stringify(value)}`);
  }
  const length = Number(first);
  if (previous >= 0 && previous !== length)
    throw new ResponseParseError("conflicting content-length headers");
  return length;
}

function connectionKeepAlive(value: string, current: boolean): boolean {
  for (const token of value.split(",")) {
    const t = token.trim();
    if (t === "close") return false;
    if (t === "keep-alive") return true;
  }
  return current;
}

function chunkSize(line: string): number {
  const semicolon = line.indexOf(";");
  const hex = (semicolon === -1 ? line : line.slice(0, semicolon)).trim();
  if (!/^[0-9a-fA-F]{1,13}$/.test(hex))
    throw new ResponseParseError(`bad chunk size ${JSON.stringify(hex.slice(0, 20))}`);
  return parseInt(hex, 16);
}
