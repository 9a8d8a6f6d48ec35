import { context, SpanKind, SpanStatusCode, trace, TraceFlags } from "@opentelemetry/api";
import type { Attributes, Context, Span, SpanOptions } from "@opentelemetry/api";
import { reportFailure } from "../internal/guard.ts";
import { outgoingHeaderSetter } from "../internal/header-carrier.ts";
import { normalizeMethod, originalMethod } from "../internal/http-method.ts";
import {
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_REQUEST_RESEND_COUNT,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_TRACEWAY_BACKEND,
  ATTR_TRACEWAY_UPSTREAM,
  ATTR_URL_FULL,
  HTTP_METHOD_OTHER,
} from "../semconv.ts";
import { keyPart } from "./attribute-sets.ts";
import type { HttpTelemetry } from "./http-telemetry.ts";
import type { HttpClientCall, HttpClientRequestInfo, HttpClientResult } from "./types.ts";

const DEFAULT_PORTS: Readonly<Record<string, number>> = { "http:": 80, "https:": 443 };
const CLIENT_SPAN: SpanOptions = { kind: SpanKind.CLIENT };

/**
 * One outbound call: a CLIENT span plus one `http.client.request.duration` point at `end`.
 * A class rather than a closure so the proxy's per-attempt hook allocates one object, and so the
 * instance itself can be handed back as the proxy's attempt observation.
 */
export class ClientCall implements HttpClientCall {
  readonly context: Context;
  readonly #telemetry: HttpTelemetry;
  /** Absent when the call needs no span of its own (unsampled parent, parent-based sampler). */
  readonly #span: Span | undefined;
  readonly #startedAt: number;
  readonly #method: string;
  readonly #address: string;
  readonly #port: number;
  readonly #upstream: string | undefined;
  readonly #backend: string | undefined;
  readonly #version: string | undefined;
  /** Stands for (address, port, upstream, backend) in the label-set cache. */
  readonly #series: unknown;
  #ended = false;

  /**
   * @param series an object standing for this call's (server address, port, upstream, backend,
   *   protocol version),
   *   the same object for the same values (the balancer passes its per-backend labels): it keys the
   *   label-set cache instead of a string built per call
   */
  constructor(telemetry: HttpTelemetry, info: HttpClientRequestInfo, series?: object) {
    this.#telemetry = telemetry;
    this.#startedAt = telemetry.clock.now();
    const method = normalizeMethod(info.method, telemetry.knownMethods);
    let address = info.serverAddress;
    let port = info.serverPort;
    if (address === undefined || port === undefined) {
      const url = URL.parse(info.url);
      address ??= url?.hostname ?? "";
      port ??= url ? Number(url.port) || (DEFAULT_PORTS[url.protocol] ?? 0) : 0;
    }
    this.#method = method;
    this.#address = address;
    this.#port = port;
    this.#upstream = info.upstream;
    this.#backend = info.backend;
    this.#version = info.protocolVersion;
    this.#series =
      series ??
      `${port}|${keyPart(address)}|${keyPart(info.upstream)}|${keyPart(info.backend)}|${keyPart(info.protocolVersion)}`;

    const parent = info.parentContext ?? context.active();
    if (telemetry.ownSampler && underUnsampledParent(parent)) {
      // The sampler would drop this span: skip building it, and let the backend continue the
      // parent's (unsampled) context, as a proxy that traces nothing would.
      this.#span = undefined;
      this.context = parent;
    } else {
      // Semconv: a client span without a url template is named after the method alone.
      const name = method === HTTP_METHOD_OTHER ? "HTTP" : method;
      let span: Span;
      if (telemetry.ownSampler) {
        // Our sampler reads no attributes: build them only for the spans it keeps.
        span = telemetry.tracer.startSpan(name, CLIENT_SPAN, parent);
        if (span.isRecording()) span.setAttributes(this.#spanAttributes(info));
      } else {
        // Given at start because semconv marks them as sampling inputs.
        const options = { kind: SpanKind.CLIENT, attributes: this.#spanAttributes(info) };
        span = telemetry.tracer.startSpan(name, options, parent);
      }
      this.#span = span;
      this.context = trace.setSpan(parent, span);
    }
    try {
      telemetry.propagator.inject(this.context, info.headers, outgoingHeaderSetter);
    } catch (err) {
      reportFailure("trace context injection", err);
    }
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
    if (span !== undefined) {
      try {
        if (span.isRecording()) {
          if (statusCode !== undefined) span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
          if (errorType !== undefined) {
            span.setAttribute(ATTR_ERROR_TYPE, errorType);
            span.setStatus({ code: SpanStatusCode.ERROR, message: errorType });
          }
        }
      } catch (err) {
        reportFailure("client span attributes", err);
      }
      try {
        span.end();
      } catch (err) {
        reportFailure("client span end", err);
      }
    }
    try {
      this.#telemetry.clientDuration.record(seconds, this.#pointAttributes(statusCode, errorType));
    } catch (err) {
      reportFailure("client duration", err);
    }
  }

  #pointAttributes(statusCode: number | undefined, errorType: string | undefined): Attributes {
    const sets = this.#telemetry.clientPoints;
    const cached = sets.get(
      this.#series,
      this.#method,
      statusCode,
      errorType,
      undefined,
      undefined,
      undefined,
    );
    if (cached !== undefined) return cached;
    const attributes = this.#baseAttributes();
    if (statusCode !== undefined) attributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = statusCode;
    if (errorType !== undefined) attributes[ATTR_ERROR_TYPE] = errorType;
    return sets.add(
      this.#series,
      this.#method,
      statusCode,
      errorType,
      undefined,
      undefined,
      undefined,
      attributes,
    );
  }

  #spanAttributes(info: HttpClientRequestInfo): Attributes {
    const attributes = this.#baseAttributes();
    attributes[ATTR_URL_FULL] = this.#telemetry.redactor.url(info.url);
    const original = originalMethod(info.method, this.#method);
    if (original !== undefined) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = original;
    const resendCount = info.resendCount ?? 0;
    if (resendCount > 0) attributes[ATTR_HTTP_REQUEST_RESEND_COUNT] = resendCount;
    return attributes;
  }

  /** A fresh object with what the span and the duration point share. */
  #baseAttributes(): Attributes {
    const attributes: Attributes = {
      [ATTR_HTTP_REQUEST_METHOD]: this.#method,
      [ATTR_SERVER_ADDRESS]: this.#address,
      [ATTR_SERVER_PORT]: this.#port,
    };
    if (this.#upstream !== undefined) attributes[ATTR_TRACEWAY_UPSTREAM] = this.#upstream;
    if (this.#backend !== undefined) attributes[ATTR_TRACEWAY_BACKEND] = this.#backend;
    if (this.#version !== undefined) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = this.#version;
    return attributes;
  }
}

/** A valid parent span context whose trace is not sampled. */
function underUnsampledParent(parent: Context): boolean {
  const spanContext = trace.getSpanContext(parent);
  // Flags first: a sampled parent needs no (regex-based) validity check.
  return (
    spanContext !== undefined &&
    (spanContext.traceFlags & TraceFlags.SAMPLED) === 0 &&
    trace.isSpanContextValid(spanContext)
  );
}
