import { SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span } from "@opentelemetry/api";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import { guard } from "../internal/guard.ts";
import { incomingHeaderGetter } from "../internal/header-carrier.ts";
import { normalizeMethod } from "../internal/http-method.ts";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  HTTP_METHOD_OTHER,
} from "../semconv.ts";
import type { HttpTelemetry } from "./http-telemetry.ts";
import type { HttpServerCall, HttpServerRequestInfo, HttpServerResult } from "./types.ts";

/**
 * One incoming request: a SERVER span that continues the caller's W3C trace, plus one
 * `http.server.request.duration` point at `end`. Metric attributes never include the raw path
 * or the client address; the span carries `url.path` (without the query) for debugging.
 */
export class ServerCall implements HttpServerCall {
  readonly context: Context;
  readonly span: Span;
  readonly startedAt: number;
  readonly #telemetry: HttpTelemetry;
  readonly #method: string;
  readonly #route: string | undefined;
  readonly #extra: Attributes | undefined;
  #ended = false;

  constructor(telemetry: HttpTelemetry, info: HttpServerRequestInfo) {
    this.#telemetry = telemetry;
    this.startedAt = telemetry.clock.now();
    const { req } = info;
    const method = normalizeMethod(req.method);
    this.#method = method;
    this.#route = info.route;
    this.#extra = info.attributes;
    const parent = telemetry.propagator.extract(ROOT_CONTEXT, req.headers, incomingHeaderGetter);
    const attributes: Attributes = {
      ...info.attributes,
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_URL_PATH]: pathOf(req.url),
      [ATTR_URL_SCHEME]: (req.socket as { encrypted?: boolean } | undefined)?.encrypted ? "https" : "http",
    };
    if (method === HTTP_METHOD_OTHER) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = req.method ?? "";
    if (info.route !== undefined) attributes[ATTR_HTTP_ROUTE] = info.route;
    this.span = telemetry.tracer.startSpan(
      spanName(method, info.route),
      { kind: SpanKind.SERVER, attributes },
      parent,
    );
    this.context = trace.setSpan(parent, this.span);
  }

  get ended(): boolean {
    return this.#ended;
  }

  end(result: HttpServerResult): void {
    if (this.#ended) return;
    this.#ended = true;
    const seconds = (this.#telemetry.clock.now() - this.startedAt) / 1000;
    const { statusCode } = result;
    const route = result.route ?? this.#route;
    // Semconv: for servers only 5xx is an error (4xx is the client's fault).
    const errorType = result.errorType ?? (statusCode >= 500 ? String(statusCode) : undefined);
    const span = this.span;
    guard("server span attributes", () => {
      span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (route !== undefined) {
        span.setAttribute(ATTR_HTTP_ROUTE, route);
        span.updateName(spanName(this.#method, route));
      }
      if (errorType !== undefined) span.setAttribute(ATTR_ERROR_TYPE, errorType);
      if (statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR, message: errorType ?? "" });
    });
    guard("server span end", () => span.end());
    guard("server duration", () => {
      const attributes: Attributes = {
        ...this.#extra,
        [ATTR_HTTP_REQUEST_METHOD]: this.#method,
        [ATTR_HTTP_RESPONSE_STATUS_CODE]: statusCode,
      };
      if (route !== undefined) attributes[ATTR_HTTP_ROUTE] = route;
      if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
      this.#telemetry.serverDuration.record(seconds, attributes);
    });
  }
}

/** Semconv span name: `{method} {route}` when the route template is known, else `{method}`. */
function spanName(method: string, route: string | undefined): string {
  const name = method === HTTP_METHOD_OTHER ? "HTTP" : method;
  return route === undefined ? name : `${name} ${route}`;
}

function pathOf(url: string | undefined): string {
  if (url === undefined) return "/";
  const q = url.indexOf("?");
  return q === -1 ? url : url.slice(0, q);
}
