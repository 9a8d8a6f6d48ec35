import diagnosticsChannel from "node:diagnostics_channel";
import type { IncomingMessage, OutgoingHttpHeaders } from "node:http";
import type { Backend } from "../pool/backend.ts";
import { noopRequestObservation } from "./observer.ts";
import type {
  AttemptInfo,
  AttemptObservation,
  AttemptResult,
  DispatchInfo,
  ProxyObserver,
  RequestInfo,
  RequestObservation,
  RequestResult,
} from "./observer.ts";

/**
 * The data path's events on `node:diagnostics_channel`, as undici publishes `undici:request:*`:
 * any tool in the process can `subscribe` without traceway knowing about it. Every message names
 * the client request (`req`), so a subscriber can key its own state by it.
 */
export const DIAGNOSTICS_CHANNELS = {
  /** A routed request starts towards its upstream ({@link RequestStartMessage}). */
  requestStart: "traceway:request:start",
  /** An attempt to one backend starts; `headers` are the ones sent ({@link AttemptStartMessage}). */
  attemptStart: "traceway:attempt:start",
  /** An attempt got its response head or failed ({@link AttemptEndMessage}). */
  attemptEnd: "traceway:attempt:end",
  /** traceway itself answered with an error, or the client left ({@link RequestErrorMessage}). */
  requestError: "traceway:request:error",
  /** The response to the client is finished or failed; once per request ({@link RequestEndMessage}). */
  requestEnd: "traceway:request:end",
} as const;

export interface RequestStartMessage {
  readonly req: IncomingMessage;
  readonly method: string;
  /** The matched route's template, never the raw path. */
  readonly route: string;
  readonly upstream: string;
}

export interface AttemptStartMessage {
  readonly req: IncomingMessage;
  readonly upstream: string;
  /** The backend's `host:port`. */
  readonly backend: string;
  readonly method: string;
  /** The URL sent upstream (backend origin + path + query). */
  readonly url: string;
  /** 0 for the first attempt, n for the n-th retry. */
  readonly resendCount: number;
  readonly headers: OutgoingHttpHeaders;
}

export interface AttemptEndMessage {
  readonly req: IncomingMessage;
  readonly upstream: string;
  readonly backend: string;
  readonly resendCount: number;
  /** Absent when the attempt failed before a response head. */
  readonly statusCode: number | undefined;
  /** `connect_error`, `timeout`, `reset`, `dns_error`, `bad_response`, `aborted`, or a retried/failed 5xx. */
  readonly errorType: string | undefined;
}

export interface RequestErrorMessage {
  readonly req: IncomingMessage;
  readonly upstream: string;
  /** The status the client got (499 when it left before the response head). */
  readonly statusCode: number;
  /** `TRACEWAY_ERR_*` (see errors.ts), or `TRACEWAY_ERR_CLIENT_CLOSED`. */
  readonly errorCode: string;
}

export interface RequestEndMessage {
  readonly req: IncomingMessage;
  readonly upstream: string;
  readonly statusCode: number;
  /** The backend whose response was relayed, if any. */
  readonly backend: string | undefined;
  readonly retries: number;
  readonly errorCode: string | undefined;
  readonly bytesIn: number;
  readonly bytesOut: number;
}

/** The status messages give a request no status was sent for (the client left first), as nginx logs it. */
const CLIENT_CLOSED_STATUS = 499;

const requestStart = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.requestStart);
const attemptStart = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.attemptStart);
const attemptEnd = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.attemptEnd);
const requestError = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.requestError);
const requestEnd = diagnosticsChannel.channel(DIAGNOSTICS_CHANNELS.requestEnd);

function subscribed(): boolean {
  return (
    requestStart.hasSubscribers ||
    attemptStart.hasSubscribers ||
    attemptEnd.hasSubscribers ||
    requestError.hasSubscribers ||
    requestEnd.hasSubscribers
  );
}

/**
 * Publishes the forwarder's events beside `inner`, the telemetry observer. With no subscriber when
 * a request starts, the request gets `inner`'s observation untouched: the hot path pays five
 * `hasSubscribers` reads and nothing else. A request that started with subscribers publishes all
 * its events, so a subscriber sees whole requests.
 *
 * Telemetry stays a direct observer rather than a subscriber: it must run the rest of the request
 * inside the request's OpenTelemetry context and start upstream calls outside it (`run`/`outside`,
 * which the context-leak regression test guards), which a channel message cannot do; and reaching
 * per-request span state from a message would cost a map lookup per event on every request.
 */
export function withDiagnostics(inner: ProxyObserver): ProxyObserver {
  const rejected = inner.onRejected?.bind(inner);
  return {
    onRequest(info: RequestInfo): RequestObservation {
      const observation = inner.onRequest(info);
      // Only routed requests are data-path events; a 404 for no route reaches telemetry alone.
      const { route, upstream } = info;
      return route !== undefined && upstream !== undefined && subscribed()
        ? new PublishingRequest(observation, info, route, upstream)
        : observation;
    },
    ...(rejected ? { onRejected: rejected } : {}),
    // The channels' messages name the client request; a dispatch has none, so it is not published.
    onDispatch(info: DispatchInfo): RequestObservation {
      return inner.onDispatch?.(info) ?? noopRequestObservation;
    },
  };
}

class PublishingRequest implements RequestObservation {
  readonly #inner: RequestObservation;
  readonly #req: IncomingMessage;
  readonly #upstream: string;

  constructor(inner: RequestObservation, info: RequestInfo, route: string, upstream: string) {
    this.#inner = inner;
    this.#req = info.req;
    this.#upstream = upstream;
    if (requestStart.hasSubscribers) {
      const message: RequestStartMessage = { req: info.req, method: info.method, route, upstream };
      requestStart.publish(message);
    }
  }

  run<T>(fn: () => T): T {
    return this.#inner.run ? this.#inner.run(fn) : fn();
  }

  outside<T>(fn: () => T): T {
    return this.#inner.outside ? this.#inner.outside(fn) : fn();
  }

  onAttempt(info: AttemptInfo): AttemptObservation {
    // After the inner observer, which injects trace context: subscribers see the headers sent.
    const attempt = this.#inner.onAttempt(info);
    if (attemptStart.hasSubscribers) {
      const message: AttemptStartMessage = {
        req: this.#req,
        upstream: this.#upstream,
        backend: info.backend.label,
        method: info.method,
        url: info.url,
        resendCount: info.resendCount,
        headers: info.headers,
      };
      attemptStart.publish(message);
    }
    return new PublishingAttempt(attempt, this.#req, info);
  }

  onQueued(backend: Backend, waitSeconds: number): void {
    this.#inner.onQueued?.(backend, waitSeconds);
  }

  end(result: RequestResult): void {
    this.#inner.end(result);
    const { errorCode } = result;
    if (errorCode !== undefined && requestError.hasSubscribers) {
      const message: RequestErrorMessage = {
        req: this.#req,
        upstream: this.#upstream,
        statusCode: result.statusCode ?? CLIENT_CLOSED_STATUS,
        errorCode,
      };
      requestError.publish(message);
    }
    if (requestEnd.hasSubscribers) {
      const message: RequestEndMessage = {
        req: this.#req,
        upstream: this.#upstream,
        statusCode: result.statusCode ?? CLIENT_CLOSED_STATUS,
        backend: result.backend?.label,
        retries: result.retries,
        errorCode,
        bytesIn: result.bytesIn,
        bytesOut: result.bytesOut,
      };
      requestEnd.publish(message);
    }
  }
}

class PublishingAttempt implements AttemptObservation {
  readonly #inner: AttemptObservation;
  readonly #req: IncomingMessage;
  readonly #info: AttemptInfo;

  constructor(inner: AttemptObservation, req: IncomingMessage, info: AttemptInfo) {
    this.#inner = inner;
    this.#req = req;
    this.#info = info;
  }

  end(result: AttemptResult): void {
    this.#inner.end(result);
    if (!attemptEnd.hasSubscribers) return;
    const message: AttemptEndMessage = {
      req: this.#req,
      upstream: this.#info.upstream,
      backend: this.#info.backend.label,
      resendCount: this.#info.resendCount,
      statusCode: result.statusCode,
      errorType: result.errorType,
    };
    attemptEnd.publish(message);
  }
}
