import type {
  ClientRequest,
  IncomingHttpHeaders,
  IncomingMessage,
  OutgoingHttpHeaders,
  ServerResponse,
} from "node:http";
import type { Socket } from "node:net";
import type { Backend } from "../pool/backend.ts";
import type { AgentLimits } from "./agents.ts";
import type { UpstreamErrorType } from "../health/attempt-outcome.ts";
import { classifyUpstreamError, UpstreamTimeoutError } from "./error-classify.ts";

export interface AttemptRequest {
  readonly backend: Backend;
  /** Connection pool limits for the backend (`keepAlive` in the config). */
  readonly keepAlive: AgentLimits;
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /** The client's request body, or undefined when the request has none. */
  readonly body: IncomingMessage | undefined;
  /** Counts body bytes sent upstream (bytes-in telemetry). */
  readonly bodyCounter: { bytes: number };
  readonly connectMs: number;
  readonly responseMs: number;
  readonly idleMs: number;
}

/**
 * An upstream response whose headers have arrived. The transport relays its body: the undici
 * transport writes each chunk straight into the client response, without a Readable in between.
 */
export interface UpstreamResponse {
  readonly kind: "response";
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly headers: IncomingHttpHeaders;
  /** Body bytes received from the backend so far. */
  readonly bodyBytes: number;
  /**
   * Streams the body into `sink` (its head already written) with backpressure, and ends `sink`
   * when the body ends. `onBodyError` runs once if the backend fails mid-body; `sink` is then
   * left as it is for the caller to cut.
   */
  relay(sink: ServerResponse, onBodyError: (error: Error) => void): void;
  /** Reads the body to its end and drops it (a status retried elsewhere); `onFreed` once done. */
  discard(onFreed: () => void): void;
  /** Stops the body and frees the upstream connection (client gone); no callback runs after it. */
  cancel(): void;
}

export type AttemptOutcome =
  | UpstreamResponse
  | {
      readonly kind: "error";
      readonly errorType: UpstreamErrorType;
      readonly error: Error;
      /** The request reached an upstream socket, so a non-idempotent request must not be resent. */
      readonly sent: boolean;
      /** Body bytes were read from the client: they cannot be replayed to another backend. */
      readonly bodyConsumed: boolean;
    };

/** A running attempt. */
export interface RunningAttempt {
  readonly done: Promise<AttemptOutcome>;
  /** The client went away: cancel the upstream request and free its socket. */
  abort(): void;
}

/**
 * How an attempt's upstream request is made (`server.transport`): `http-proxy-transport.ts`,
 * `native-transport.ts`, `undici-transport.ts`. Each owns its connections to the backends.
 */
export interface Transport {
  start(a: AttemptRequest, client: { req: IncomingMessage; res: ServerResponse }): RunningAttempt;
  /** Connections open towards backends, busy and idle (leak checks, shutdown). */
  connectionCount(): number;
  /** Let go of connections to backends that are no longer configured. */
  retain(backendIds: ReadonlySet<string>): void;
  /** Closes every connection. */
  close(): void;
}

/**
 * Watches one upstream request: connect, response and idle timeouts, and when to let the body
 * flow. The client's body is piped only once the upstream socket is connected, so a connect
 * failure leaves the body unread and the request can go to another backend (nginx's
 * proxy_next_upstream semantics without buffering the body).
 */
export class AttemptWatch implements RunningAttempt {
  readonly done: Promise<AttemptOutcome>;
  readonly #a: AttemptRequest;
  readonly #sendBody: () => void;
  #request: ClientRequest | undefined;
  #resolve!: (o: AttemptOutcome) => void;
  #settled = false;
  #connected = false;
  #aborted = false;
  #timer: NodeJS.Timeout | undefined;

  /** `sendBody` starts the body towards the upstream once connected (pipe, or open a gate). */
  constructor(a: AttemptRequest, sendBody: () => void) {
    this.#a = a;
    this.#sendBody = sendBody;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
  }

  /** Attach to the upstream request, whether or not it already has its socket. */
  watch(request: ClientRequest): void {
    this.#request = request;
    if (this.#aborted) {
      request.destroy();
      return;
    }
    request.on("error", (error) => this.fail(error));
    request.once("response", (response) => this.#onResponse(request, response));
    const socket = request.socket;
    if (socket) this.#onSocket(socket);
    else request.once("socket", (s) => this.#onSocket(s));
  }

  /** An error before or without a response. */
  fail(error: Error): void {
    if (this.#settled) return;
    this.#settled = true;
    if (this.#timer) clearTimeout(this.#timer);
    const { body } = this.#a;
    body?.unpipe();
    this.#resolve({
      kind: "error",
      errorType: classifyUpstreamError(error),
      error,
      sent: this.#connected,
      bodyConsumed: body?.readableDidRead ?? false,
    });
  }

  abort(): void {
    this.#aborted = true;
    this.#request?.destroy();
  }

  #onSocket(socket: Socket): void {
    if (socket.connecting) {
      this.#arm("connect", this.#a.connectMs);
      socket.once("connect", () => this.#onConnected());
    } else {
      this.#onConnected();
    }
  }

  #onConnected(): void {
    this.#connected = true;
    this.#arm("response", this.#a.responseMs);
    const { body, bodyCounter } = this.#a;
    if (body) {
      // Counting starts with the flow: an earlier 'data' listener would drain the body.
      body.on("data", (chunk: Buffer) => (bodyCounter.bytes += chunk.length));
      this.#sendBody();
    }
  }

  #onResponse(request: ClientRequest, response: IncomingMessage): void {
    if (this.#timer) clearTimeout(this.#timer);
    const { idleMs } = this.#a;
    if (idleMs > 0)
      request.setTimeout(idleMs, () => request.destroy(new UpstreamTimeoutError("idle", idleMs)));
    if (this.#settled) return;
    this.#settled = true;
    this.#resolve(new MessageResponse(request, response));
  }

  #arm(phase: "connect" | "response", ms: number): void {
    if (this.#timer) clearTimeout(this.#timer);
    if (ms > 0) {
      this.#timer = setTimeout(() => {
        const error = new UpstreamTimeoutError(phase, ms);
        this.#request?.destroy(error);
        this.fail(error);
      }, ms);
    }
  }
}

/** A node:http response (http-proxy and native transports), relayed with `pipe`. */
class MessageResponse implements UpstreamResponse {
  readonly kind = "response";
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly headers: IncomingHttpHeaders;
  bodyBytes = 0;
  readonly #request: ClientRequest;
  readonly #body: IncomingMessage;
  #cancelled = false;

  constructor(request: ClientRequest, body: IncomingMessage) {
    this.#request = request;
    this.#body = body;
    this.status = body.statusCode ?? 502;
    this.statusMessage = body.statusMessage;
    this.headers = body.headers;
  }

  relay(sink: ServerResponse, onBodyError: (error: Error) => void): void {
    const body = this.#body;
    body.on("data", (chunk: Buffer) => (this.bodyBytes += chunk.length));
    body.once("error", (error: Error) => {
      if (!this.#cancelled) onBodyError(error);
    });
    body.pipe(sink);
  }

  discard(onFreed: () => void): void {
    this.#body.once("close", onFreed);
    this.#body.resume();
  }

  cancel(): void {
    this.#cancelled = true;
    this.#request.destroy();
  }
}
