import pino from "pino";
import type { DestinationStream, Logger } from "pino";
import type { LoggingConfig } from "../config/types.ts";
import { activeTraceFields } from "./request-context.ts";

const NO_FIELDS = {};

/**
 * JSON lines: `time` (ISO 8601), `level` as its label, `service_name`, and the active span's
 * `trace_id`/`span_id`, so any line can be joined to its trace in Jaeger.
 */
export function createLogger(
  serviceName: string,
  logging: LoggingConfig,
  destination?: DestinationStream,
): Logger {
  const options: pino.LoggerOptions = {
    level: logging.level,
    base: { service_name: serviceName },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
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
