import {
  request as httpRequest,
  type Agent,
  type ClientRequest,
  type IncomingMessage,
  type OutgoingHttpHeaders,
} from "node:http";
import { request as httpsRequest } from "node:https";
import type { Backend } from "../pool/backend.ts";
import { classifyUpstreamError, UpstreamTimeoutError, type UpstreamErrorType } from "./error-classify.ts";

export interface AttemptRequest {
  readonly backend: Backend;
  readonly agent: Agent;
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

export type AttemptOutcome =
  | { readonly kind: "response"; readonly response: IncomingMessage; readonly upstreamRequest: ClientRequest }
  | {
      readonly kind: "error";
      readonly errorType: UpstreamErrorType;
      readonly error: Error;
      /** The request reached an upstream socket, so a non-idempotent request must not be resent. */
      readonly sent: boolean;
      /** Body bytes were read from the client: they cannot be replayed to another backend. */
      readonly bodyConsumed: boolean;
    };

/** A running attempt; `abort` is for the client going away. */
export interface RunningAttempt {
  readonly done: Promise<AttemptOutcome>;
  readonly upstreamRequest: ClientRequest;
}

/**
 * One request to one backend. The client's body is piped only once the upstream socket is
 * connected, so a connect failure leaves the body unread and the request can go to another
 * backend (nginx's proxy_next_upstream semantics without buffering the body).
 */
export function startAttempt(a: AttemptRequest): RunningAttempt {
  const { backend } = a;
  const request = backend.url.protocol === "https:" ? httpsRequest : httpRequest;
  const upstreamRequest = request({
    protocol: backend.url.protocol,
    hostname: backend.url.hostname,
    port: backend.url.port,
    method: a.method,
    path: a.path,
    headers: a.headers,
    agent: a.agent,
  });

  const done = new Promise<AttemptOutcome>((resolve) => {
    let connected = false;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;

    const settle = (outcome: AttemptOutcome): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      resolve(outcome);
    };

    const armTimer = (phase: "connect" | "response", ms: number): void => {
      if (timer) clearTimeout(timer);
      if (ms > 0) timer = setTimeout(() => upstreamRequest.destroy(new UpstreamTimeoutError(phase, ms)), ms);
    };

    const onConnected = (): void => {
      connected = true;
      armTimer("response", a.responseMs);
      if (a.body) {
        // Counting starts together with the pipe: an earlier 'data' listener would drain the body.
        const counter = a.bodyCounter;
        a.body.on("data", (chunk: Buffer) => (counter.bytes += chunk.length));
        a.body.pipe(upstreamRequest);
      }
    };

    upstreamRequest.once("socket", (socket) => {
      if (socket.connecting) {
        armTimer("connect", a.connectMs);
        socket.once("connect", onConnected);
      } else {
        onConnected();
      }
    });

    upstreamRequest.once("response", (response) => {
      if (a.idleMs > 0) {
        upstreamRequest.setTimeout(a.idleMs, () =>
          upstreamRequest.destroy(new UpstreamTimeoutError("idle", a.idleMs)),
        );
      }
      settle({ kind: "response", response, upstreamRequest });
    });

    upstreamRequest.on("error", (error) => {
      if (a.body) a.body.unpipe(upstreamRequest);
      settle({
        kind: "error",
        errorType: classifyUpstreamError(error),
        error,
        sent: connected,
        bodyConsumed: a.body?.readableDidRead ?? false,
      });
    });
  });

  if (!a.body) upstreamRequest.end();
  return { done, upstreamRequest };
}
