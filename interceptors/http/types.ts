import type {
  Attributes,
  Context,
  MeterProvider,
  TextMapPropagator,
  TracerProvider,
} from "@opentelemetry/api";
import type { IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders, ServerResponse } from "node:http";
import type { Clock } from "../clock.ts";
import type { PreAggregatedHistograms } from "../metrics/pre-aggregated-histograms.ts";

/** Options shared by the HTTP server and client interceptors. */
export interface HttpInstrumentationOptions {
  /** Where spans go. Defaults to the global tracer provider (`trace.getTracerProvider()`). */
  readonly tracerProvider?: TracerProvider;
  /** Where metrics go. Defaults to the global meter provider (`metrics.getMeterProvider()`). */
  readonly meterProvider?: MeterProvider;
  /**
   * How trace context is read from and written to headers. Defaults to W3C `traceparent` /
   * `tracestate`, independent of the global propagator, so propagation works with no SDK set up.
   */
  readonly propagator?: TextMapPropagator;
  /** Monotonic clock for metric durations. Defaults to `performance.now()`. */
  readonly clock?: Clock;
  /**
   * Record the duration histograms here instead of in the `meterProvider`: cheaper per request,
   * but the reader must be given it as a metric producer (see {@link PreAggregatedHistograms}).
   */
  readonly histograms?: PreAggregatedHistograms;
  /**
   * Query parameters whose values spans show as `REDACTED` (in `url.query` and `url.full`),
   * matched without regard to case; replaces the default list (`DEFAULT_REDACTED_QUERY_PARAMETERS`:
   * signatures, tokens, passwords, API keys). `[]` redacts nothing.
   */
  readonly redactedQueryParameters?: readonly string[];
}

/** Options of {@link createHttpServerInterceptor}. */
export interface HttpServerInterceptorOptions extends HttpInstrumentationOptions {
  /**
   * The route template of a request (`/users/:id`), read when the response finishes. Defaults to
   * Express's `req.baseUrl + req.route.path`. Return `undefined` when unknown: the span is then
   * named after the method only and `http.route` is left out. Never return the raw path.
   */
  readonly routeTemplate?: (req: IncomingMessage) => string | undefined;
  /** Extra attributes on every server span and duration point (keep them low-cardinality). */
  readonly attributes?: Attributes;
}

/**
 * What the server interceptor reads of a request; a Node `IncomingMessage` has all of it. A
 * request the HTTP parser refused may have no method or URL.
 */
export interface HttpServerRequest {
  readonly method?: string | undefined;
  readonly url?: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly httpVersionMajor?: number;
  readonly httpVersionMinor?: number;
  readonly socket: {
    readonly remoteAddress?: string | undefined;
    readonly remotePort?: number | undefined;
  };
}

/**
 * Facts about a request its server knows better than the headers say: behind a trusted proxy,
 * the scheme and client address it forwarded. Absent fields come from the request itself.
 */
export interface HttpServerRequestFacts {
  /** `url.scheme` of the original request (a trusted `X-Forwarded-Proto`); default: the connection's. */
  readonly scheme?: string | undefined;
  /** `client.address` of the original client (a trusted `X-Forwarded-For`); default: the peer. */
  readonly clientAddress?: string | undefined;
  /** `host[:port]` the client asked for (a trusted `X-Forwarded-Host`); default: the `Host` header. */
  readonly authority?: string | undefined;
}

/** An incoming request handed to {@link HttpServerInterceptor.start}. */
export interface HttpServerRequestInfo extends HttpServerRequestFacts {
  readonly req: IncomingMessage;
  /** Route template, when already known (it may also be given at `end`). */
  readonly route?: string;
  /**
   * Extra attributes for this request's span and duration point (low-cardinality), replacing the
   * interceptor's. Reuse one object per label set: it keys a cache of the metric label sets.
   */
  readonly attributes?: Attributes;
}

/** How an incoming request ended. */
export interface HttpServerResult {
  /** The status sent; absent when none was (the client left before the response head). */
  readonly statusCode?: number | undefined;
  /** Route template, if it became known while handling. */
  readonly route?: string | undefined;
  /**
   * Low-cardinality error type; defaults to the status code for 5xx. Set it whenever the request
   * failed, also after a 2xx head (a body cut short): the span status is then Error.
   */
  readonly errorType?: string | undefined;
}

/** One incoming request being observed: end it exactly once. */
export interface HttpServerCall {
  /** Context carrying the server span: run the handler in it so child spans and logs join the trace. */
  readonly context: Context;
  end(result: HttpServerResult): void;
}

/**
 * Express/connect middleware that traces and times each request, plus the lower-level
 * {@link HttpServerInterceptor.start} for servers that are not middleware-based.
 */
export interface HttpServerInterceptor {
  (req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void): void;
  start(info: HttpServerRequestInfo): HttpServerCall;
}

/** Options of {@link createHttpClientInterceptor}. */
export type HttpClientInterceptorOptions = HttpInstrumentationOptions;

/** One outbound HTTP call (or one attempt of it). */
export interface HttpClientRequestInfo {
  readonly method: string;
  /** The full URL requested (`url.full`); put credentials or secrets in headers, not here. */
  readonly url: string;
  /** Request headers: `traceparent`/`tracestate` are written into this object. */
  readonly headers: OutgoingHttpHeaders;
  /** `server.address`; parsed from `url` when omitted. */
  readonly serverAddress?: string;
  /** `server.port`; parsed from `url` when omitted. */
  readonly serverPort?: number;
  /** 0 for the first try, n for the n-th resend (`http.request.resend_count`, set only when > 0). */
  readonly resendCount?: number;
  /** Load-balancer upstream name (`traceway.upstream`). */
  readonly upstream?: string;
  /** Backend `host:port` (`traceway.backend`). */
  readonly backend?: string;
  /** Parent context; defaults to the active one. */
  readonly parentContext?: Context;
  /** `network.protocol.version` of the call (`1.1`), when the caller knows it. */
  readonly protocolVersion?: string;
}

/** How an outbound call ended: a status, an error type, or both (a 502 is both). */
export interface HttpClientResult {
  readonly statusCode?: number;
  /** Low-cardinality error type (`timeout`, `connect_error`, `ECONNREFUSED`, `500`). */
  readonly errorType?: string;
}

/** An outbound call in progress: end it exactly once (later calls are ignored). */
export interface HttpClientCall {
  /** Context carrying the client span. */
  readonly context: Context;
  end(result: HttpClientResult): void;
}

/** Traces and times outbound HTTP calls. */
export interface HttpClientInterceptor {
  /** Low-level: starts a CLIENT span, injects trace context into `info.headers`, returns the call. */
  start(info: HttpClientRequestInfo): HttpClientCall;
  /**
   * Wraps one call: `send` receives the headers to send (trace context included) and runs with
   * the client span active. Its result's `status`/`statusCode` becomes the response status; a
   * thrown error is recorded and re-thrown unchanged.
   */
  intercept<T>(
    info: Omit<HttpClientRequestInfo, "headers"> & { readonly headers?: OutgoingHttpHeaders },
    send: (headers: OutgoingHttpHeaders) => Promise<T>,
  ): Promise<T>;
}
