import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse, IncomingHttpHeaders } from "node:http";
import type { Writable } from "node:stream";
import type { Backend } from "../../pool/backend.ts";
import type { AttemptFailure } from "../../upstream/retry-policy.ts";
import type { AgentLimits } from "./agents.ts";

export interface AttemptRequest {
  readonly backend: Backend;
  /** Connection pool limits for the backend (`keepAlive` in the config). */
  readonly keepAlive: AgentLimits;
  readonly method: string;
  readonly path: string;
  readonly headers: OutgoingHttpHeaders;
  /**
   * The client's streamed request body, a buffered body (in-process dispatches: it can be sent
   * to every backend tried), or undefined when the request has none.
   */
  readonly body: IncomingMessage | Buffer | undefined;
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
   * Streams the body into `sink` (a client response with its head already written, or a
   * dispatch's collector) with backpressure, and ends `sink` when the body ends. `onBodyError`
   * runs once if the backend fails mid-body; `sink` is then left as it is for the caller to cut.
   */
  relay(sink: Writable, onBodyError: (error: Error) => void): void;
  /** Reads the body to its end and drops it (a status retried elsewhere); `onFreed` once done. */
  discard(onFreed: () => void): void;
  /** Stops the body and frees the upstream connection (client gone); no callback runs after it. */
  cancel(): void;
}

/** An attempt that ended without a response head; the retry policy decides what follows. */
export interface AttemptError extends AttemptFailure {
  readonly kind: "error";
}

export type AttemptOutcome = UpstreamResponse | AttemptError;

/** A running attempt. */
export interface RunningAttempt {
  readonly done: Promise<AttemptOutcome>;
  /** The client went away: cancel the upstream request and free its socket. */
  abort(): void;
}

/** The client connection a request came in on. */
export interface TransportClient {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
}

/**
 * How an attempt's upstream request is made (`server.transport`): `http-proxy.ts` or `undici.ts`
 * in this folder. Each owns its connections to the backends. The forwarder decides everything
 * else (which backend, whether to retry, how to answer), so a transport is only this.
 */
export interface Transport {
  /**
   * `client` is the connection the request came in on; in-process dispatches have none, so they
   * go through a transport that does not need one (undici).
   */
  start(a: AttemptRequest, client: TransportClient | undefined): RunningAttempt;
  /** Connections open towards backends, busy and idle (leak checks, shutdown). */
  connectionCount(): number;
  /** Let go of connections to backends that are no longer configured. */
  retain(backendIds: ReadonlySet<string>): void;
  /**
   * Let go of the connection pools of these backends, whose pool settings (`keepAlive`,
   * `timeouts.connect`) changed: requests in flight finish on the old pool, the next request
   * builds a new one with the new settings.
   */
  refresh(backendIds: ReadonlySet<string>): void;
  /** Closes every connection. */
  close(): void;
}
