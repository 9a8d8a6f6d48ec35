import { context, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Attributes, Context, Span } from "@opentelemetry/api";
import { guard } from "../internal/guard.ts";
import { outgoingHeaderSetter } from "../internal/header-carrier.ts";
import { normalizeMethod } from "../internal/http-method.ts";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_TRACEWAY_BACKEND,
  ATTR_TRACEWAY_UPSTREAM,
  ATTR_URL_FULL,
  HTTP_METHOD_OTHER,
} from "../semconv.ts";
import type { HttpTelemetry } from "./http-telemetry.ts";
import type { HttpClientCall, HttpClientRequestInfo, HttpClientResult } from "./types.ts";

/**
 * One outbound call: a CLIENT span plus one `http.client.request.duration` point at `end`.
 * A class rather than a closure so the proxy's per-attempt hook allocates one object, and so the
 * instance itself can be handed back as the proxy's attempt observation.
 */
export class ClientCall implements HttpClientCall {
  readonly context: Context;
  readonly #telemetry: HttpTelemetry;
  readonly #span: Span;
  readonly #startedAt: number;
  readonly #metricAttributes: Attributes;
  #ended = false;

  constructor(telemetry: HttpTelemetry, info: HttpClientRequestInfo) {
    this.#telemetry = telemetry;
    this.#startedAt = telemetry.clock.now();
    const method = normalizeMethod(info.method);
    const { address, port } = serverOf(info);
    const metricAttributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: method,
      [ATTR_SERVER_ADDRESS]: address,
      [ATTR_SERVER_PORT]: port,
    };
    if (info.upstream !== undefined) metricAttributes[ATTR_TRACEWAY_UPSTREAM] = info.upstream;
    if (info.backend !== undefined) metricAttributes[ATTR_TRACEWAY_BACKEND] = info.backend;
    this.#metricAttributes = metricAttributes;

    const spanAttributes: Attributes = { ...metricAttributes, [ATTR_URL_FULL]: info.url };
    if (method === HTTP_METHOD_OTHER) spanAttributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = info.method;
    const resendCount = info.resendCount ?? 0;
    if (resendCount > 0) spanAttributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = resendCount;

    const parent = info.parentContext ?? context.active();
    // Semconv: a client span without a url template is named after the method alone.
    const span = telemetry.tracer.startSpan(
      method === HTTP_METHOD_OTHER ? "HTTP" : method,
      { kind: SpanKind.CLIENT, attributes: spanAttributes },
      parent,
    );
    this.#span = span;
    this.context = trace.setSpan(parent, span);
    guard("trace context injection", () =>
      telemetry.propagator.inject(this.context, info.headers, outgoingHeaderSetter),
    );
  }

  end(result: HttpClientResult): void {
    if (this.#ended) return;
    this.#ended = true;
    const seconds = (this.#telemetry.clock.now() - this.#startedAt) / 1000;
    const { statusCode } = result;
    // Semconv: for clients, any 4xx/5xx is an error; the status code itself is the error.type.
    const errorType =
      result.errorType ?? (statusCode !== undefined && statusCode >= 400 ? String(statusCode) : undefined);
    const span = this.#span;
    guard("client span attributes", () => {
      if (statusCode !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
      if (errorType !== undefined) {
        span.setAttribute(ATTR_ERROR_TYPE, errorType);
        span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
      }
    });
    guard("client span end", () => span.end());
    guard("client duration", () => {
      const attributes: Attributes = { ...this.#metricAttributes };
      if (statusCode !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = statusCode;
      if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
      this.#telemetry.clientDuration.record(seconds, attributes);
    });
  }
}

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };

function serverOf(info: HttpClientRequestInfo): { address: string; port: number } {
  if (info.serverAddress !== undefined && info.serverPort !== undefined) {
    return { address: info.serverAddress, port: info.serverPort };
  }
  const url = URL.parse(info.url);
  return {
    address: info.serverAddress ?? url?.hostname ?? "",
    port: info.serverPort ?? (url ? Number(url.port) || (DEFAULT_PORTS[url.protocol] ?? 0) : 0),
  };
}
