/**
 * One keep-alive HTTP/1.1 connection of the load generator, on a raw socket like wrk's: the
 * request is serialised once per run and written as one Buffer, the response is parsed only as far
 * as framing needs (response-parser.ts), and there is no per-request allocation beyond the socket's.
 *
 * Why not undici, which traceway already ships: on the 2-core bench machine against nginx serving
 * 200 bytes with 50 connections over two worker threads, undici's `Client.request` reached 2.8–8.8k
 * req/s and its lower-level `dispatch` 5.9–7.4k, where a raw socket reached 21–31k and wrk 21–44k
 * in the same interleaved runs. With reads parsed in place (below and response-parser.ts) this
 * path costs about 10 µs of CPU per request to wrk's 9 µs, and bench/test/load-accuracy.test.ts
 * holds its req/s and p50 within 10% of wrk's.
 */
import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { ResponseParseError, ResponseParser } from "./response-parser.ts";

/** Where requests go; built once from the URL (request-spec.ts). */
export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
  /** Skip certificate verification (`--insecure`). */
  readonly insecure: boolean;
}

/**
 * Called once per request: `status` > 0 with `error` undefined for a response, or `status` 0 and
 * a bounded error name (an errno code such as ECONNREFUSED, or "timeout", "bad_response", "closed").
 */
export type Completion = (connection: Http1Connection, status: number, error: string | undefined) => void;

/**
 * Plain-TCP reads land in this one buffer (net's `onread`), shared by every connection of the
 * thread: the parser consumes each read synchronously and copies what it keeps, so no read
 * allocates a Buffer or goes through the stream's 'data' machinery. TLS sockets cannot do this.
 */
const readBuffer = Buffer.allocUnsafe(64 * 1024);

export class Http1Connection {
  /** Free for the load model: the request's start or intended start (performance.now() ms). */
  startedAt = 0;
  /** When the bytes were handed to the socket; the timeout sweep reads it. */
  sentAt = 0;
  #socket: Socket | undefined;
  #busy = false;
  readonly #parser = new ResponseParser();
  readonly #target: ConnectTarget;
  readonly #request: Buffer;
  readonly #noBody: boolean;
  readonly #done: Completion;
  readonly #onData = (chunk: Buffer): void => this.#data(chunk, chunk.length);
  readonly #onRead = (bytes: number): boolean => {
    this.#data(readBuffer, bytes); // net fills readBuffer itself
    return true; // keep reading
  };

  constructor(target: ConnectTarget, request: Buffer, noBody: boolean, done: Completion) {
    this.#target = target;
    this.#request = request;
    this.#noBody = noBody;
    this.#done = done;
  }

  get busy(): boolean {
    return this.#busy;
  }

  /** Whether a socket is open (or opening); false after the server closed it. */
  get connected(): boolean {
    return this.#socket !== undefined;
  }

  /** Sends the request (opening the connection first if there is none); one at a time. */
  send(now: number): void {
    if (this.#busy) throw new Error("Http1Connection.send while a request is in flight");
    this.#busy = true;
    this.sentAt = now;
    this.#parser.reset(this.#noBody);
    // Writes before 'connect' are buffered by the socket and flushed once it connects.
    (this.#socket ?? this.#open()).write(this.#request);
  }

  /** Gives up on the request in flight (request timeout, or the end of a drain). */
  abort(reason: string): void {
    if (this.#busy) this.#failed(reason);
  }

  close(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.destroy();
  }

  #open(): Socket {
    const { host, port, tls, insecure } = this.#target;
    const socket = tls
      ? tlsConnect({
          host,
          port,
          // SNI carries host names only (RFC 6066); an IP address is left out.
          ...(isIP(host) === 0 ? { servername: host } : {}),
          rejectUnauthorized: !insecure,
          ALPNProtocols: ["http/1.1"],
        })
      : netConnect({ host, port, onread: { buffer: readBuffer, callback: this.#onRead } });
    socket.setNoDelay(true);
    if (tls) socket.on("data", this.#onData);
    // Per socket, not per request: events of a socket already replaced by a newer one are ignored.
    socket.on("close", () => {
      if (socket === this.#socket) this.#closed();
    });
    socket.on("error", (error: NodeJS.ErrnoException) => {
      if (socket === this.#socket) this.#failed(error.code ?? "error");
    });
    this.#socket = socket;
    return socket;
  }

  #data(chunk: Buffer, limit: number): void {
    if (!this.#busy) {
      // Bytes nobody asked for: the connection's framing is lost, so it cannot be reused.
      this.close();
      return;
    }
    let step;
    try {
      step = this.#parser.execute(chunk, limit);
    } catch (error) {
      this.#failed(error instanceof ResponseParseError ? "bad_response" : "error");
      return;
    }
    if (step === "done") this.#finish();
  }

  /** The server closed: the end of a read-until-close body, an idle timeout, or a failure. */
  #closed(): void {
    this.#socket = undefined;
    if (!this.#busy) return;
    let step;
    try {
      step = this.#parser.end();
    } catch {
      this.#complete(0, "closed");
      return;
    }
    if (step === "done") this.#finish();
  }

  #finish(): void {
    if (!this.#parser.keepAlive) this.close();
    this.#complete(this.#parser.status, undefined);
  }

  #failed(reason: string): void {
    this.close();
    if (this.#busy) this.#complete(0, reason);
  }

  #complete(status: number, error: string | undefined): void {
    this.#busy = false;
    this.#done(this, status, error);
  }
}
