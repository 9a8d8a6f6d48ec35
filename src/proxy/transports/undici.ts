import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { PassThrough } from "node:stream";
import type { Writable } from "node:stream";
import { Pool } from "undici";
import type { Dispatcher } from "undici";
import type { Backend } from "../../pool/backend.ts";
import { classifyUpstreamError, UpstreamTimeoutError } from "../error-classify.ts";
import type {
  AttemptOutcome,
  AttemptRequest,
  RunningAttempt,
  Transport,
  UpstreamResponse,
} from "./transport.ts";

/** undici rejects these request headers outright; `expect` was already answered by Node's server. */
const REFUSED_BY_UNDICI = ["expect"] as const;

/** Errors that mean the request never left for the backend, so even a POST may go elsewhere. */
const NOT_SENT = new Set([
  "ECONNREFUSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
]);

/**
 * Body bytes held while the forwarder decides what to do with a response (relay it, or drop it
 * for a retry): one socket read's worth. Beyond it the upstream read pauses.
 */
const MAX_HELD_BYTES = 64 * 1024;

/** Where an exchange is; plain numbers rather than an enum (erasable TypeScript only). */
const Phase = {
  /** Waiting for the response head. */
  Head: 0,
  /** Head arrived; body chunks are held until `relay` or `discard`. */
  Held: 1,
  Relaying: 2,
  Discarding: 3,
  /** Ended, failed or cancelled: nothing more is delivered. */
  Closed: 4,
} as const;
type Phase = (typeof Phase)[keyof typeof Phase];

type Controller = Dispatcher.DispatchController;

/**
 * Upstream requests made with undici (`server.transport: undici`): one keep-alive `Pool` per
 * backend, driven through `dispatch` so each response chunk is written straight into the client
 * response (no Readable, no pipe, no AbortController per request). undici writes the body only on
 * an established connection, so a connect failure leaves it unread and the request can go to
 * another backend, as with the other transports.
 */
export function createUndiciTransport(): Transport {
  const pools = new Map<string, Pool>();
  return {
    start(a: AttemptRequest): RunningAttempt {
      const headers = a.headers as IncomingHttpHeaders;
      for (const name of REFUSED_BY_UNDICI) delete headers[name];
      const exchange = new UndiciExchange(a);
      let pool = pools.get(a.backend.id);
      if (!pool) pools.set(a.backend.id, (pool = newPool(a.backend, a)));
      pool.dispatch(
        {
          path: a.path,
          method: a.method,
          headers: headers as Record<string, string | string[]>,
          body: exchange.gate ?? exchange.buffered,
          headersTimeout: 0,
          bodyTimeout: a.idleMs,
        },
        exchange,
      );
      return exchange;
    },
    connectionCount(): number {
      let n = 0;
      for (const pool of pools.values()) n += pool.stats.connected;
      return n;
    },
    retain(ids: ReadonlySet<string>): void {
      for (const [id, pool] of pools) {
        if (ids.has(id)) continue;
        pools.delete(id);
        // In-flight requests finish; the pool closes once they have.
        void pool.close();
      }
    },
    refresh(ids: ReadonlySet<string>): void {
      for (const id of ids) {
        const pool = pools.get(id);
        if (pool === undefined) continue;
        pools.delete(id);
        void pool.close();
      }
    },
    close(): void {
      for (const pool of pools.values()) void pool.destroy();
      pools.clear();
    },
  };
}

/**
 * A backend's keep-alive pool, made with the settings of the first attempt that needs it; a reload
 * that changes them has the pool rebuilt (`refresh`).
 */
function newPool(backend: Backend, a: AttemptRequest): Pool {
  const limits = a.keepAlive;
  return new Pool(backend.id, {
    ...(limits.maxSockets > 0 ? { connections: limits.maxSockets } : {}),
    pipelining: 1,
    connect: { timeout: a.connectMs > 0 ? a.connectMs : 10_000 },
    headersTimeout: 0,
    bodyTimeout: a.idleMs,
  });
}

/**
 * One attempt: the dispatch handler, the running attempt and, once the head has arrived, the
 * upstream response, in one object so an attempt allocates as little as possible.
 */
class UndiciExchange implements Dispatcher.DispatchHandler, RunningAttempt, UpstreamResponse {
  readonly kind = "response";
  readonly done: Promise<AttemptOutcome>;
  /**
   * undici destroys a request body whose request fails, and the client's body must survive a
   * connect failure for the next backend: undici gets this gate, which opens (the client's body
   * starts to flow into it) only when undici begins reading, on a connected socket.
   */
  readonly gate: PassThrough | null;
  /** A buffered body (in-process dispatches): undici keeps it, so any attempt can send it again. */
  readonly buffered: Buffer | null;
  status = 0;
  statusMessage: string | undefined;
  headers: IncomingHttpHeaders = {};
  bodyBytes = 0;
  readonly #a: AttemptRequest;
  #resolve!: (outcome: AttemptOutcome) => void;
  #phase: Phase = Phase.Head;
  #controller: Controller | undefined;
  /** An abort asked for before undici handed over its controller. */
  #abortReason: Error | undefined;
  #timer: NodeJS.Timeout | undefined;
  #timedOut: UpstreamTimeoutError | undefined;
  #held: Buffer[] | undefined;
  #heldBytes = 0;
  #ended = false;
  #bodyError: Error | undefined;
  #sink: Writable | undefined;
  /** The client's streamed body, if any. */
  #stream: IncomingMessage | undefined;
  #onBodyError: ((error: Error) => void) | undefined;
  #onFreed: (() => void) | undefined;
  #resumeOnDrain: (() => void) | undefined;

  constructor(a: AttemptRequest) {
    this.#a = a;
    this.done = new Promise((resolve) => (this.#resolve = resolve));
    const { body, bodyCounter } = a;
    if (Buffer.isBuffer(body)) {
      this.gate = null;
      this.buffered = body;
    } else if (body) {
      this.buffered = null;
      this.#stream = body;
      const gate = new PassThrough();
      gate.once("resume", () => {
        body.on("data", (chunk: Buffer) => (bodyCounter.bytes += chunk.length));
        body.pipe(gate);
      });
      this.gate = gate;
    } else {
      this.gate = null;
      this.buffered = null;
    }
  }

  // RunningAttempt

  abort(): void {
    this.#abortWith(new Error("client closed the connection"));
  }

  // UpstreamResponse

  relay(sink: Writable, onBodyError: (error: Error) => void): void {
    if (this.#phase !== Phase.Held) return;
    this.#phase = Phase.Relaying;
    this.#sink = sink;
    this.#onBodyError = onBodyError;
    const held = this.#held;
    this.#held = undefined;
    let flowing = true;
    if (held !== undefined) for (const chunk of held) flowing = sink.write(chunk);
    if (this.#bodyError !== undefined) {
      this.#close();
      onBodyError(this.#bodyError);
    } else if (this.#ended) {
      this.#close();
      sink.end();
    } else if (!flowing) {
      this.#waitForDrain(sink);
    } else {
      this.#controller?.resume();
    }
  }

  discard(onFreed: () => void): void {
    if (this.#phase !== Phase.Held) return;
    this.#held = undefined;
    if (this.#ended || this.#bodyError !== undefined) {
      this.#close();
      onFreed();
      return;
    }
    this.#phase = Phase.Discarding;
    this.#onFreed = onFreed;
    this.#controller?.resume();
  }

  cancel(): void {
    if (this.#phase === Phase.Closed) return;
    this.#close();
    this.#abortWith(new Error("client closed the connection"));
  }

  // Dispatcher.DispatchHandler

  /** undici calls this as the request goes onto a connected socket (again if it re-sends it). */
  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#abortReason !== undefined) {
      controller.abort(this.#abortReason);
      return;
    }
    // Sent whole on every (re)send; a streamed body counts its chunks as they flow instead.
    if (this.buffered !== null) this.#a.bodyCounter.bytes = this.buffered.length;
    // `timeouts.response` runs from here to the head, as in the node:http transports; ours
    // rather than undici's headersTimeout, whose coarse timers would blur sub-second values.
    const { responseMs } = this.#a;
    if (responseMs > 0 && this.#phase === Phase.Head) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = setTimeout(onResponseTimeout, responseMs, this);
    }
  }

  onResponseStart(
    controller: Controller,
    statusCode: number,
    headers: IncomingHttpHeaders,
    statusMessage?: string,
  ): void {
    // 1xx heads are informational; the final head follows.
    if (statusCode < 200 || this.#phase !== Phase.Head) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#controller = controller;
    this.status = statusCode;
    this.statusMessage = statusMessage;
    this.headers = headers;
    this.#phase = Phase.Held;
    this.#resolve(this);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    this.bodyBytes += chunk.length;
    switch (this.#phase) {
      case Phase.Relaying: {
        const sink = this.#sink;
        if (sink !== undefined && !sink.write(chunk)) {
          controller.pause();
          this.#waitForDrain(sink);
        }
        return;
      }
      case Phase.Held:
        (this.#held ??= []).push(chunk);
        this.#heldBytes += chunk.length;
        if (this.#heldBytes > MAX_HELD_BYTES) controller.pause();
        return;
      default:
        return;
    }
  }

  onResponseEnd(): void {
    this.#ended = true;
    switch (this.#phase) {
      case Phase.Relaying: {
        const sink = this.#sink;
        this.#close();
        sink?.end();
        return;
      }
      case Phase.Discarding:
        this.#close();
        this.#onFreed?.();
        return;
      default:
        return;
    }
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    switch (this.#phase) {
      case Phase.Head:
        this.#close();
        this.#resolve(this.#failure(error));
        return;
      case Phase.Held:
        this.#bodyError = error;
        return;
      case Phase.Relaying:
        this.#close();
        this.#onBodyError?.(error);
        return;
      case Phase.Discarding:
        this.#close();
        this.#onFreed?.();
        return;
      case Phase.Closed:
        return;
    }
  }

  /** The response timer ran out before the head arrived. */
  timeOut(): void {
    if (this.#phase !== Phase.Head) return;
    this.#timedOut = new UpstreamTimeoutError("response", this.#a.responseMs);
    this.#abortWith(this.#timedOut);
  }

  #abortWith(reason: Error): void {
    if (this.#controller !== undefined) this.#controller.abort(reason);
    else this.#abortReason ??= reason;
  }

  #close(): void {
    this.#phase = Phase.Closed;
    this.#held = undefined;
    this.#sink = undefined;
  }

  #waitForDrain(sink: Writable): void {
    this.#resumeOnDrain ??= () => this.#controller?.resume();
    sink.once("drain", this.#resumeOnDrain);
  }

  #failure(error: Error & { code?: string }): AttemptOutcome {
    const a = this.#a;
    const cause = this.#timedOut ?? undiciTimeout(error, a) ?? error;
    return {
      kind: "error",
      errorType: error.name === "HTTPParserError" ? "bad_response" : classifyUpstreamError(cause),
      error: cause,
      sent: !NOT_SENT.has(error.code ?? ""),
      bodyConsumed: this.#stream?.readableDidRead ?? false,
    };
  }
}

/** Module-level so the per-attempt timer needs no closure. */
function onResponseTimeout(exchange: UndiciExchange): void {
  exchange.timeOut();
}

function undiciTimeout(error: { code?: string }, a: AttemptRequest): UpstreamTimeoutError | undefined {
  switch (error.code) {
    case "UND_ERR_CONNECT_TIMEOUT":
      return new UpstreamTimeoutError("connect", a.connectMs);
    case "UND_ERR_HEADERS_TIMEOUT":
      return new UpstreamTimeoutError("response", a.responseMs);
    case "UND_ERR_BODY_TIMEOUT":
      return new UpstreamTimeoutError("idle", a.idleMs);
    default:
      return undefined;
  }
}
