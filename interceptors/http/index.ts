export { createHttpClientInterceptor } from "./client-interceptor.ts";
export { createHttpServerInterceptor } from "./server-interceptor.ts";
export { instrumentFetch } from "./instrumented-fetch.ts";
export { HTTP_DURATION_BUCKETS_S } from "../internal/duration-buckets.ts";
export { DEFAULT_REDACTED_QUERY_PARAMETERS } from "./query-redaction.ts";
export type {
  HttpClientCall,
  HttpClientInterceptor,
  HttpClientInterceptorOptions,
  HttpClientRequestInfo,
  HttpClientResult,
  HttpInstrumentationOptions,
  HttpServerCall,
  HttpServerInterceptor,
  HttpServerInterceptorOptions,
  HttpServerRequest,
  HttpServerRequestFacts,
  HttpServerRequestInfo,
  HttpServerResult,
} from "./types.ts";
