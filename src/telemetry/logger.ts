import pino from "pino";
import type { DestinationStream, Logger } from "pino";
import type { LoggingConfig } from "../config/types.ts";
import { logLayout } from "./log-layout.ts";
import { activeTraceFields } from "./request-context.ts";

const NO_FIELDS = {};

/**
 * The application logger: JSON lines in the layout `logging.format` names (log-layout.ts), at
 * `logging.level`, each carrying the active span's trace_id, span_id and trace_flags, so any
 * line can be joined to its trace in Jaeger.
 */
export function createLogger(
  serviceName: string,
  logging: LoggingConfig,
  destination?: DestinationStream,
): Logger {
  const layout = logLayout(logging.format);
  const base = layout.loggerOptions(serviceName);
  const options: pino.LoggerOptions = {
    ...base,
    level: logging.level,
    formatters: { ...base.formatters, log: layout.fields },
    mixin: () => {
      try {
        return activeTraceFields();
      } catch {
        // A broken context manager must not cost a log line.
        return NO_FIELDS;
      }
    },
  };
  return destination === undefined ? pino(options) : pino(options, destination);
}
