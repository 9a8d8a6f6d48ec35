import type { Logger } from "pino";
import type { LogLayout } from "./log-layout.ts";

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
 * Writes access-log lines at `info`, message `access`, in the layout's field names. Its logger is
 * the access logger (see logger.ts): buffered output, no trace mixin, not filtered by `logging.level`.
 */
export class AccessLog {
  readonly #logger: Logger;
  readonly #layout: LogLayout;

  constructor(logger: Logger, layout: LogLayout) {
    this.#logger = logger;
    this.#layout = layout;
  }

  write(e: AccessLogEntry): void {
    this.#logger.info(this.#layout.accessFields(e), "access");
  }
}
