import type { ClientRequest, IncomingHttpHeaders, IncomingMessage } from "node:http";
import type { Socket } from "node:net";
import type { Writable } from "node:stream";
import { classifyUpstreamError, UpstreamTimeoutError } from "../error-classify.ts";
import type { AttemptOutcome, AttemptRequest, RunningAttempt, UpstreamResponse } from "./transport.ts";

/**
 * Watches one upstream request: connect, response and idle timeouts, and when to let the body
 * flow. The client's body is piped only once the upstream socket is connected, so a connect
 * failure leaves the body unread and the request can go to another backend (nginx's
 * proxy_next_upstream semantics without buffering the body).
 */
export class AttemptWatch implements RunningAttempt {
  readonly done: Promise<AttemptOutcome>;
  readonly #a: AttemptRequest;
  /** The client's body when it streams (http-proxy relays client requests only). */
  readonly #body: IncomingMessage | undefined;
  readonly #sendBody: () => void;
  #request: ClientRequest | undefined;
  #resolve!: (o: AttemptOutcome) => void;
  #settled = false;
  #connected = false;
  #aborted = false;
  #timer: NodeJS.Timeout | undefined;

  /** `sendBody` starts the body towards the upstream once connected (pipe, or open a gate). */
  constructor(a: AttemptRequest, body: IncomingMessage | undefined, sendBody: () => void) {
    this.#a = a;
    this.#body = body;
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
    const body = this.#body;
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
    const body = this.#body;
    const { bodyCounter } = this.#a;
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

/** A node:http response (the http-proxy transport), relayed with `pipe`. */
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

  relay(sink: Writable, onBodyError: (error: Error) => void): void {
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
