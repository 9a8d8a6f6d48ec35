import type { LoggerOptions } from "pino";
import type { AccessLogEntry } from "./access-log.ts";
import { ECS_VERSION } from "./ecs-field-sets.ts";
import { errorFields } from "./log-error-fields.ts";
import { fixedFields, isoNow, jsonNumber, optionalField } from "./log-text.ts";
import type { LogBindings, LogLayout } from "./log-layout.ts";
import { traceFlagsHex } from "./trace-flags.ts";

/**
 * The code's field names that have an ECS field. Every other field goes under `traceway.`: ECS
 * asks custom fields to live outside its field sets, so a later ECS release cannot clash with them.
 * One exception: `trace_flags` has no ECS field and keeps OpenTelemetry's name for non-OTLP logs,
 * the name the Gin service and the worker write, so one field says "sampled" for every service.
 */
const ECS_NAMES: Readonly<Record<string, string>> = {
  trace_id: "trace.id",
  span_id: "span.id",
  trace_flags: "trace_flags",
  method: "http.request.method",
  status: "http.response.status_code",
  reason: "event.reason",
  error_type: "error.type",
  error_code: "error.code",
  error_message: "error.message",
  listen_url: "url.full",
  config_file: "file.path",
  pid: "process.pid",
};

const ERROR_NAMES = {
  type: "error.type",
  message: "error.message",
  stack: "error.stack_trace",
  code: "error.code",
};

function fields(obj: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in obj) {
    const value = obj[key];
    if (value === undefined) continue;
    if (key === "err") errorFields(value, ERROR_NAMES, out);
    else out[ECS_NAMES[key] ?? `traceway.${key}`] = value;
  }
  return out;
}

/**
 * Elastic Common Schema: `@timestamp`, `log.level`, `message`, `ecs.version`, `service.name`,
 * `trace.id`, `span.id`, `trace_flags`, `http.*`, `event.duration` (ns), `url.full`, `error.*`,
 * the rest under `traceway.*`. Keys are dotted (`"http.response.status_code": 200`), as the ECS logging libraries
 * write them; Elasticsearch and Filebeat's `expand_keys` read them as objects.
 */
export const ecsLayout: LogLayout = {
  loggerOptions: (serviceName: string): LoggerOptions => ({
    base: { "service.name": serviceName, "ecs.version": ECS_VERSION },
    messageKey: "message",
    timestamp: () => `,"@timestamp":"${isoNow()}"`,
    formatters: { level: (label) => ({ "log.level": label }) },
  }),
  fields,
  accessFormatter: (serviceName: string, bindings: LogBindings = {}) => {
    const base =
      `,"ecs.version":"${ECS_VERSION}","service.name":${JSON.stringify(serviceName)}` +
      fixedFields(fields({ ...bindings }));
    return (e: AccessLogEntry): string =>
      `{"@timestamp":"${isoNow()}","log.level":"info","message":"access"${base}` +
      `,"event.dataset":"traceway.access"` +
      optionalField(',"http.request.method":', e.method) +
      optionalField(',"traceway.route":', e.route) +
      optionalField(',"traceway.upstream":', e.upstream) +
      optionalField(',"traceway.backend":', e.backend) +
      `,"http.response.status_code":${e.status},"event.duration":${jsonNumber(Math.round(e.durationMs * 1e6))}` +
      `,"traceway.retries":${e.retries}` +
      optionalField(',"error.code":', e.errorCode) +
      `,"http.request.body.bytes":${e.bytesIn},"http.response.body.bytes":${e.bytesOut}` +
      `,"trace.id":"${e.traceId}","span.id":"${e.spanId}","trace_flags":"${traceFlagsHex(e.traceFlags)}"}\n`;
  },
};
