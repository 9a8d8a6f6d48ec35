import { context } from "@opentelemetry/api";
import type { OutgoingHttpHeaders } from "node:http";
import { errorTypeOf } from "../internal/guard.ts";
import { ClientCall } from "./client-call.ts";
import { createHttpTelemetry } from "./http-telemetry.ts";
import type {
  HttpClientInterceptor,
  HttpClientInterceptorOptions,
  HttpClientRequestInfo,
  HttpClientResult,
} from "./types.ts";

/**
 * Creates an interceptor for outbound HTTP calls: one CLIENT span per call (stable HTTP semconv),
 * W3C trace context injected into the request headers, and one `http.client.request.duration`
 * point per call.
 *
 * @example
 * ```ts
 * const client = createHttpClientInterceptor({ tracerProvider, meterProvider });
 * const res = await client.intercept({ method: "GET", url }, (headers) => fetch(url, { headers }));
 * ```
 */
export function createHttpClientInterceptor(
  options: HttpClientInterceptorOptions = {},
): HttpClientInterceptor {
  const telemetry = createHttpTelemetry(options);
  return {
    start: (info) => new ClientCall(telemetry, info),
    async intercept<T>(
      info: Omit<HttpClientRequestInfo, "headers"> & { readonly headers?: OutgoingHttpHeaders },
      send: (headers: OutgoingHttpHeaders) => Promise<T>,
    ): Promise<T> {
      const headers: OutgoingHttpHeaders = { ...info.headers };
      const call = new ClientCall(telemetry, { ...info, headers });
      let result: T;
      try {
        result = await context.with(call.context, send, undefined, headers);
      } catch (err) {
        call.end({ errorType: errorTypeOf(err) });
        throw err;
      }
      call.end(resultOf(result));
      return result;
    },
  };
}

/** Reads a status from common response shapes: fetch `Response.status`, Node `statusCode`. */
function resultOf(response: unknown): HttpClientResult {
  if (response !== null && typeof response === "object") {
    const r = response as { status?: unknown; statusCode?: unknown };
    if (typeof r.status === "number") return { statusCode: r.status };
    if (typeof r.statusCode === "number") return { statusCode: r.statusCode };
  }
  return {};
}
