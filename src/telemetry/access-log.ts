import type { Logger } from "pino";

/** One access-log line: what happened to one client request. */
export interface AccessLogEntry {
  /** Absent for a request the parser refused. */
  readonly method: string | undefined;
  /** The route's path template; absent when no route matched. */
  readonly route: string | undefined;
  readonly upstream: string | undefined;
  readonly backend: string | undefined;
  readonly status: number;
  readonly durationMs: number;
  readonly retries: number;
  readonly errorCode: string | undefined;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly traceId: string;
  readonly spanId: string;
}

/** Writes access-log lines as JSON with snake_case fields, at `info`, message `access`. */
export class AccessLog {
  readonly #logger: Logger;

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  write(e: AccessLogEntry): void {
    this.#logger.info(
      {
        method: e.method,
        route: e.route,
        upstream: e.upstream,
        backend: e.backend,
        status: e.status,
        duration_ms: Math.round(e.durationMs * 1000) / 1000,
        retries: e.retries,
        error_code: e.errorCode,
        bytes_in: e.bytesIn,
        bytes_out: e.bytesOut,
        // Given explicitly: `end` runs from a socket event, where the active context is not the request's.
        trace_id: e.traceId,
        span_id: e.spanId,
      },
      "access",
    );
  }
}
