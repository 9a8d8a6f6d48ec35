import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span, SpanOptions } from "@opentelemetry/api";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { reportFailure } from "../internal/guard.ts";
import { incomingHeaderGetter } from "../internal/header-carrier.ts";
import { normalizeMethod } from "../internal/http-method.ts";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_URL_SCHEME,
  HTTP_METHOD_OTHER,
} from "../semconv.ts";
import type { HttpTelemetry } from "./http-telemetry.ts";
import { protocolVersion, schemeOf, serverSpanAttributes } from "./server-attributes.ts";
import type { HttpServerCall, HttpServerRequest, HttpServerRequestFacts, HttpServerResult } from "./types.ts";

const NO_FACTS: HttpServerRequestFacts = {};

/**
 * One incoming request: a SERVER span that continues the caller's W3C trace, plus one
 * `http.server.request.duration` point at `end`. Metric attributes never include the raw path,
 * the query or the client address; the span carries them (the query redacted) for debugging.
 */
export class ServerCall implements HttpServerCall {
  readonly context: Context;
  readonly span: Span;
  readonly startedAt: number;
  readonly #telemetry: HttpTelemetry;
  readonly #method: string;
  readonly #scheme: string;
  readonly #version: string | undefined;
  readonly #route: string | undefined;
  readonly #extra: Attributes | undefined;
  #endedAt: number | undefined;

  /**
   * @param route the route template, when already known (it may also be given at `end`)
   * @param extra low-cardinality attributes for the span and the duration point; pass the same
   *   object for every request with the same values (it keys the label-set cache)
   * @param facts what the server knows better than the request's own headers (trusted proxies)
   */
  constructor(
    telemetry: HttpTelemetry,
    req: HttpServerRequest,
    route: string | undefined,
    extra: Attributes | undefined,
    facts: HttpServerRequestFacts = NO_FACTS,
  ) {
    this.#telemetry = telemetry;
    this.startedAt = telemetry.clock.now();
    const method = normalizeMethod(req.method, telemetry.knownMethods);
    this.#method = method;
    this.#scheme = schemeOf(req, facts.scheme);
    this.#version = protocolVersion(req);
    this.#route = route;
    this.#extra = extra;
    const parent = telemetry.propagator.extract(ROOT_CONTEXT, req.headers, incomingHeaderGetter);
    const name = spanName(method, route);
    let span: Span;
    if (telemetry.ownSampler) {
      // Our sampler reads no attributes: build them only for the spans it keeps.
      span = telemetry.tracer.startSpan(name, SERVER_SPAN, parent);
      if (span.isRecording()) span.setAttributes(this.#spanAttributes(req, facts));
    } else {
      // Given at start because semconv marks them as sampling inputs.
      const options = { kind: SpanKind.SERVER, attributes: this.#spanAttributes(req, facts) };
      span = telemetry.tracer.startSpan(name, options, parent);
    }
    this.span = span;
    this.context = trace.setSpan(parent, span);
  }

  get ended(): boolean {
    return this.#endedAt !== undefined;
  }

  /** Milliseconds from start to `end` (to now while not ended). */
  get durationMs(): number {
    return (this.#endedAt ?? this.#telemetry.clock.now()) - this.startedAt;
  }

  end(result: HttpServerResult): void {
    if (this.#endedAt !== undefined) return;
    const endedAt = this.#telemetry.clock.now();
    this.#endedAt = endedAt;
    const { statusCode } = result;
    const route = result.route ?? this.#route;
    // Semconv: for servers only 5xx is an error (4xx is the client's fault).
    const errorType =
      result.errorType ?? (statusCode !== undefined && statusCode >= 500 ? String(statusCode) : undefined);
    const span = this.span;
    try {
      // An unsampled span drops all of this anyway; skip building it.
      if (span.isRecording()) {
        if (statusCode !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
        if (route !== undefined) {
          span.setAttribute(ATTR_HTTP_ROUTE, route);
          if (route !== this.#route) span.updateName(spanName(this.#method, route));
        }
        if (errorType !== undefined) {
          span.setAttribute(ATTR_ERROR_TYPE, errorType);
          // Whatever the status: a 200 whose body was cut short failed too.
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
      }
    } catch (err) {
      reportFailure("server span attributes", err);
    }
    try {
      span.end();
    } catch (err) {
      reportFailure("server span end", err);
    }
    try {
      this.#telemetry.serverDuration.record(
        (endedAt - this.startedAt) / 1000,
        this.#pointAttributes(statusCode, route, errorType),
      );
    } catch (err) {
      reportFailure("server duration", err);
    }
  }

  #pointAttributes(
    statusCode: number | undefined,
    route: string | undefined,
    errorType: string | undefined,
  ): Attributes {
    const sets = this.#telemetry.serverPoints;
    const extra = this.#extra;
    const method = this.#method;
    const scheme = this.#scheme;
    const version = this.#version;
    const cached = sets.get(extra, method, route, statusCode, errorType, scheme, version);
    if (cached !== undefined) return cached;
    const attributes: Attributes = extra === undefined ? {} : { ...extra };
    attributes[ATTR_HTTP_REQUEST_METHOD] = method;
    attributes[ATTR_URL_SCHEME] = scheme;
    if (statusCode !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = statusCode;
    if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    if (version !== undefined) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = version;
    return sets.add(extra, method, route, statusCode, errorType, scheme, version, attributes);
  }

  #spanAttributes(req: HttpServerRequest, facts: HttpServerRequestFacts): Attributes {
    const attributes = serverSpanAttributes(
      req,
      facts,
      this.#method,
      this.#scheme,
      this.#telemetry.redactor,
      this.#extra,
    );
    attributes[ATTR_HTTP_REQUEST_METHOD] = this.#method;
    attributes[ATTR_URL_SCHEME] = this.#scheme;
    if (this.#version !== undefined) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = this.#version;
    if (this.#route !== undefined) attributes[ATTR_HTTP_ROUTE] = this.#route;
    return attributes;
  }
}

const SERVER_SPAN: SpanOptions = { kind: SpanKind.SERVER };

/** Semconv span name: `{method} {route}` when the route template is known, else `{method}`. */
function spanName(method: string, route: string | undefined): string {
  const name = method === HTTP_METHOD_OTHER ? "HTTP" : method;
  return route === undefined ? name : `${name} ${route}`;
}
