import type { LoggerOptions } from "pino";
import type { AccessLogEntry } from "./access-log.ts";
import { ECS_ROOT_OBJECTS } from "./ecs-field-sets.ts";
import { errorFields } from "./log-error-fields.ts";
import { fixedFields, isoNow, jsonNumber, optionalField } from "./log-text.ts";
import type { LogBindings, LogLayout } from "./log-layout.ts";
import { traceFlagsHex } from "./trace-flags.ts";

const ERROR_NAMES = {
  type: "error_type",
  message: "error_message",
  stack: "error_stack",
  code: "error_code",
};

/**
 * Lines the code logs are written as they are, except two kinds of field: `err` becomes flat
 * `error_*` fields, and a name ECS maps as an object (`url`, `file`, `error`, `host`…, see
 * ecs-field-sets.ts) gets the suffix `_value`, so no line is ever rejected by an ECS template.
 * traceway's own call sites use neither (test/unit/telemetry/log-layouts.test.ts checks it);
 * this is the guard for the ones to come.
 */
function fields(obj: Record<string, unknown>): Record<string, unknown> {
  for (const key in obj) if (key === "err" || ECS_ROOT_OBJECTS.has(key)) return rewritten(obj);
  return obj;
}

function rewritten(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) {
    if (value === undefined) continue;
    if (key === "err") errorFields(value, ERROR_NAMES, out);
    else out[ECS_ROOT_OBJECTS.has(key) ? `${key}_value` : key] = value;
  }
  return out;
}

/**
 * The default layout: the seed's fields `timestamp` (ISO 8601, UTC, ms), `level` (its name),
 * `service_name`, `trace_id`, plus `span_id` and `trace_flags` as OpenTelemetry names them for
 * non-OTLP logs, `msg`, and flat snake_case fields: the same names the Gin service and the Kafka
 * worker write, so one query reads all three.
 */
export const jsonLayout: LogLayout = {
  loggerOptions: (serviceName: string): LoggerOptions => ({
    base: { service_name: serviceName },
    messageKey: "msg",
    timestamp: () => `,"timestamp":"${isoNow()}"`,
    formatters: { level: (label) => ({ level: label }) },
  }),
  fields,
  accessFormatter: (serviceName: string, bindings: LogBindings = {}) => {
    const service = `,"service_name":${JSON.stringify(serviceName)}${fixedFields(fields({ ...bindings }))}`;
    return (e: AccessLogEntry): string =>
      `{"level":"info","timestamp":"${isoNow()}"${service}` +
      optionalField(',"method":', e.method) +
      optionalField(',"route":', e.route) +
      optionalField(',"upstream":', e.upstream) +
      optionalField(',"backend":', e.backend) +
      `,"status":${e.status},"duration_ms":${jsonNumber(Math.round(e.durationMs * 1000) / 1000)}` +
      `,"retries":${e.retries}` +
      optionalField(',"error_code":', e.errorCode) +
      `,"bytes_in":${e.bytesIn},"bytes_out":${e.bytesOut},"trace_id":"${e.traceId}"` +
      `,"span_id":"${e.spanId}","trace_flags":"${traceFlagsHex(e.traceFlags)}","msg":"access"}\n`;
  },
};
