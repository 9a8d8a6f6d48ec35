import type { DestinationStream } from "pino";

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
  /** W3C trace flags of the SERVER span: bit 0 says whether the trace was sampled. */
  readonly traceFlags: number;
}

/**
 * Writes one line per request at `info`, message `access`, in the layout of `logging.format`
 * (log-layout.ts formats it). Switched by `logging.accessLog` alone, like nginx's `access_log` and
 * Envoy's access logs, whatever `logging.level` says. The line carries its request's trace
 * explicitly: where a response ends, the active context is not the request's.
 */
export class AccessLog {
  readonly #out: DestinationStream;
  readonly #format: (e: AccessLogEntry) => string;

  constructor(out: DestinationStream, format: (e: AccessLogEntry) => string) {
    this.#out = out;
    this.#format = format;
  }

  write(e: AccessLogEntry): void {
    this.#out.write(this.#format(e));
  }
}
