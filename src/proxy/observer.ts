import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Backend } from "../pool/backend.ts";

/**
 * The proxy reports what it does through these hooks and knows nothing else about
 * telemetry. Implementations must never throw into the proxy (guard inside) and must not
 * keep references to `req` after `end`.
 */
export interface ProxyObserver {
  /**
   * Called once per client request, after routing; also for a request no route matched (no
   * `route`, no `upstream`) and for each WebSocket upgrade, so every request is counted.
   */
  onRequest(info: RequestInfo): RequestObservation;
  /**
   * A request the HTTP parser refused (malformed, headers too large, too slow), answered with
   * `statusCode` on its socket before it could be routed; absent: not observed.
   */
  onRejected?(info: RejectedRequestInfo): void;
  /**
   * Called once per in-process dispatch (a Kafka bridge message's try): like a request, but with
   * no client connection, so no SERVER span; its attempts are children of the context active at
   * the call. Observers without it see dispatches not at all.
   */
  onDispatch?(info: DispatchInfo): RequestObservation;
}

/** An in-process dispatch to an upstream (no client connection). */
export interface DispatchInfo {
  readonly method: string;
  /** Bounded label standing for the route, e.g. `kafka:orders` for the bridge named orders. */
  readonly route: string;
  readonly upstream: string;
}

export interface RequestInfo {
  readonly req: IncomingMessage;
  readonly method: string;
  /** Bounded route label: the matched route's path template (`/api/*`), never the raw path. */
  readonly route?: string;
  /** The upstream the route sends to; absent when no route matched. */
  readonly upstream?: string;
  /** The matched route's `match.host`: the virtual host, a bounded `server.address`. */
  readonly routeHost?: string | undefined;
  /** The original request's scheme (a trusted `X-Forwarded-Proto`, else the connection's). */
  readonly scheme?: string | undefined;
  /** The original client's address (trusted `X-Forwarded-For` / `X-Real-IP`, else the peer). */
  readonly clientAddress?: string | undefined;
  /** `host[:port]` the client asked for (a trusted `X-Forwarded-Host`, else `Host`). */
  readonly authority?: string | undefined;
}

export interface RejectedRequestInfo {
  /** The connection the request came on. */
  readonly socket: { readonly remoteAddress?: string | undefined; readonly remotePort?: number | undefined };
  readonly statusCode: number;
  /** `TRACEWAY_ERR_BAD_REQUEST`. */
  readonly errorCode: string;
}

export interface RequestObservation {
  /**
   * Runs the rest of the request's handling (attempts, retries, logs) inside this observation's
   * context, so async work and log lines see it and nothing leaks to the next request.
   */
  run?<T>(fn: () => T): T;
  /**
   * Runs `fn` outside this observation's context. The proxy starts upstream calls and relays
   * responses through it: sockets and keep-alive timers created or re-armed there live on after
   * the request, and would otherwise keep its context (span, telemetry) reachable for as long as
   * the connection stays open.
   */
  outside?<T>(fn: () => T): T;
  /** Once per upstream attempt; `headers` may be mutated to inject trace context. */
  onAttempt(info: AttemptInfo): AttemptObservation;
  /** Time spent waiting for a connection slot (maxConnsPerBackend). */
  onQueued?(backend: Backend, waitSeconds: number): void;
  /** Once, when the response to the client has finished or failed. */
  end(result: RequestResult): void;
}

export interface AttemptInfo {
  readonly backend: Backend;
  readonly upstream: string;
  readonly method: string;
  /** The URL sent upstream (backend origin + path + query). */
  readonly url: string;
  /** 0 for the first attempt, n for the n-th retry (`http.request.resend_count`). */
  readonly resendCount: number;
  readonly headers: OutgoingHttpHeaders;
}

export interface AttemptObservation {
  end(result: AttemptResult): void;
}

export interface AttemptResult {
  readonly statusCode?: number;
  /** Low-cardinality error type: `timeout`, `connect_error`, `reset`, `dns_error`, `bad_response`, `aborted`, or the 5xx status as text. */
  readonly errorType?: string;
}

export interface RequestResult {
  /**
   * The status sent to the client; undefined when none was (the client left before the response
   * head). A status sent before a failure (a body cut short) stays, with `errorCode` set.
   */
  readonly statusCode: number | undefined;
  /** The backend that produced the final response, if any. */
  readonly backend?: Backend;
  readonly retries: number;
  /** Stable traceway error code when traceway itself answered with an error. */
  readonly errorCode?: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** Observer that does nothing: telemetry off. */
export const noopObserver: ProxyObserver = {
  onRequest: () => noopRequestObservation,
  onDispatch: () => noopRequestObservation,
};

const noopAttemptObservation: AttemptObservation = { end: () => {} };
/** What a request or dispatch reports to when nobody observes it. */
export const noopRequestObservation: RequestObservation = {
  onAttempt: () => noopAttemptObservation,
  end: () => {},
};
