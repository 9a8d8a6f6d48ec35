import type { LoggerOptions } from "pino";
import type { LogFormat } from "../config/types.ts";
import type { AccessLogEntry } from "./access-log.ts";
import { ecsLayout } from "./log-layout-ecs.ts";
import { jsonLayout } from "./log-layout-json.ts";

/**
 * How a log line is laid out (`logging.format`). Code logs its fields under one vocabulary, the
 * `json` layout's names (`upstream`, `backend`, `status`, `reason`, `error_type`, `trace_id`…, and
 * `err` for an Error); a layout renames them on the way out, so a call site never knows the format.
 */
export interface LogLayout {
  /** pino options for every logger: time and level fields, message key, base fields. */
  loggerOptions(serviceName: string): LoggerOptions;
  /** The fields of a line the code logs, renamed into this layout (pino's `formatters.log`). */
  fields(this: void, obj: Record<string, unknown>): Record<string, unknown>;
  /**
   * Formats access lines for `serviceName`: one JSON line, newline included, built by hand with
   * the same time, level and service fields as the loggers' lines (the hot path skips pino), and
   * `bindings`, the fields every line of this process carries (see {@link LogBindings}).
   */
  accessFormatter(serviceName: string, bindings?: LogBindings): (e: AccessLogEntry) => string;
}

/**
 * Fields every line of one process carries, under the code's names: a worker's `pid`, so lines
 * from several processes of one instance tell apart. Renamed by the layout like any field.
 */
export type LogBindings = Readonly<Record<string, string | number>>;

export function logLayout(format: LogFormat): LogLayout {
  return format === "ecs" ? ecsLayout : jsonLayout;
}
