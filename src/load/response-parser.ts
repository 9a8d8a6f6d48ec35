/**
 * Incremental HTTP/1.1 response parser for the load generator: one response at a time (the
 * generator never pipelines), bodies counted and discarded, framing read by response-head.ts.
 * It works on (buffer, offset, limit) so a read can be parsed in place in the connection's shared
 * read buffer, with no per-read allocation; what it keeps across reads (a split head, a split
 * chunk-size line) it copies. A full client's per-response work (header objects, body streams) is
 * what made undici 3–4× slower than this path on the bench machine (see http1-connection.ts).
 */
import { parseHead, ResponseHead, ResponseParseError } from "./response-head.ts";

export { ResponseParseError };

/** Largest response head accepted; nginx's default large_client_header_buffers is 4 × 8 KiB. */
export const MAX_HEAD_BYTES = 64 * 1024;
/** Chunk-size lines and trailer lines longer than this are refused (a hex size is ≤ 16 digits). */
const MAX_LINE_BYTES = 4096;

const CR = 13;
const LF = 10;
const HEAD_END = Buffer.from("\r\n\r\n");

// Parser states as small integers (the hot path compares them per read); no enums under type stripping.
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
  readonly #head = new ResponseHead();

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

  /**
   * Feeds chunk[0, limit); "done" once the response is complete. Bytes past the response are a
   * protocol error (nothing was asked for them).
   */
  execute(chunk: Buffer, limit = chunk.length): ParseStep {
    let offset = 0;
    while (offset < limit) {
      if (this.#state === State.Done) {
        throw new ResponseParseError(`${limit - offset} unexpected bytes after the response`);
      }
      offset = this.#step(chunk, offset, limit);
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

  #step(chunk: Buffer, offset: number, limit: number): number {
    switch (this.#state) {
      case State.Head:
        return this.#pending === undefined
          ? this.#headInPlace(chunk, offset, limit)
          : this.#headSplit(chunk, offset, limit);
      case State.Length:
      case State.ChunkData:
        return this.#counted(offset, limit);
      case State.UntilClose:
        this.bodyBytes += limit - offset;
        return limit;
      default:
        return this.#lines(chunk, offset, limit);
    }
  }

  /** The usual case: the whole head is in this read. */
  #headInPlace(chunk: Buffer, offset: number, limit: number): number {
    const end = chunk.indexOf(HEAD_END, offset);
    // The buffer may hold stale bytes past `limit`; a match there is no match.
    if (end === -1 || end + 4 > limit) {
      if (limit - offset > MAX_HEAD_BYTES) throw tooLarge();
      this.#pending = Buffer.from(chunk.subarray(offset, limit));
      return limit;
    }
    this.#headParsed(chunk, offset, end);
    return end + 4;
  }

  /** A head split over reads: joined with what was kept (a copy, so the shared buffer may be reused). */
  #headSplit(chunk: Buffer, offset: number, limit: number): number {
    const kept = this.#pending!.length;
    const data = Buffer.concat([this.#pending!, chunk.subarray(offset, limit)]);
    const end = data.indexOf(HEAD_END, Math.max(0, kept - 3));
    if (end === -1) {
      if (data.length > MAX_HEAD_BYTES) throw tooLarge();
      this.#pending = data;
      return limit;
    }
    this.#pending = undefined;
    this.#headParsed(data, 0, end);
    return offset + (end + 4 - kept);
  }

  #headParsed(data: Buffer, start: number, end: number): void {
    const head = this.#head;
    parseHead(data, start, end, head);
    // 100 Continue / 103 Early Hints precede the real response to the same request (RFC 9110 §15.2).
    if (head.status < 200) return;
    this.status = head.status;
    this.keepAlive = head.keepAlive;
    if (this.#noBody || head.status === 204 || head.status === 304) this.#state = State.Done;
    else if (head.chunked) this.#state = State.ChunkSize;
    else if (head.length >= 0) this.#startCounted(head.length, State.Length);
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

  #counted(offset: number, limit: number): number {
    const take = Math.min(this.#remaining, limit - offset);
    this.#remaining -= take;
    this.bodyBytes += take;
    if (this.#remaining === 0) this.#state = this.#state === State.Length ? State.Done : State.ChunkDataEnd;
    return offset + take;
  }

  /** Chunk-size lines, the CRLF after each chunk, and trailer lines: read line by line. */
  #lines(chunk: Buffer, offset: number, limit: number): number {
    let lf = chunk.indexOf(LF, offset);
    if (lf >= limit) lf = -1;
    const end = lf === -1 ? limit : lf + 1;
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

function tooLarge(): ResponseParseError {
  return new ResponseParseError(`response head larger than ${MAX_HEAD_BYTES} bytes`);
}

function chunkSize(line: string): number {
  const semicolon = line.indexOf(";");
  const hex = (semicolon === -1 ? line : line.slice(0, semicolon)).trim();
  if (!/^[0-9a-fA-F]{1,13}$/.test(hex)) {
    throw new ResponseParseError(`bad chunk size ${JSON.stringify(hex.slice(0, 20))}`);
  }
  return parseInt(hex, 16);
}
