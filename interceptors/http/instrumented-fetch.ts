import type { HttpClientInterceptor } from "./types.ts";

/**
 * Wraps `fetch` so every call gets a CLIENT span, trace context headers and a duration point.
 * The returned function has `fetch`'s signature; caller headers are kept and trace headers added.
 *
 * @example
 * ```ts
 * const tracedFetch = instrumentFetch(createHttpClientInterceptor({ tracerProvider }));
 * const res = await tracedFetch("http://orders:8080/orders/42");
 * ```
 */
export function instrumentFetch(
  interceptor: HttpClientInterceptor,
  fetchImpl: typeof fetch = globalThis.fetch,
): typeof fetch {
  return (input, init) => {
    const request = input instanceof Request ? input : undefined;
    const url = input instanceof Request ? input.url : input instanceof URL ? input.href : input;
    const method = init?.method ?? request?.method ?? "GET";
    return interceptor.intercept({ method, url }, (traceHeaders) => {
      const headers = new Headers(init?.headers ?? request?.headers);
      for (const [key, value] of Object.entries(traceHeaders)) {
        if (typeof value === "string") headers.set(key, value);
      }
      return fetchImpl(request ?? url, { ...init, headers });
    });
  };
}
