import { diag } from "@opentelemetry/api";
import { ERROR_TYPE_OTHER } from "../semconv.ts";

/**
 * Reports a telemetry step that failed. Hot paths wrap their steps in an inline `try/catch`
 * that calls this (free in V8), rather than {@link guard}, which costs a closure per call.
 */
export function reportFailure(what: string, err: unknown): void {
  diag.warn(`traceway interceptor: ${what} failed`, err);
}

/**
 * Runs one telemetry step so that no failure in it can reach the traffic it observes: a broken
 * exporter, a bad attribute or our own bug costs a data point, never a request. For cold paths;
 * see {@link reportFailure} for per-request ones.
 */
export function guard<T>(what: string, step: () => T): T | undefined {
  try {
    return step();
  } catch (err) {
    reportFailure(what, err);
    return undefined;
  }
}

const SYSTEM_ERROR_CODE = /^E[A-Z_]+$/;

/**
 * `error.type` per semconv for a thrown value, the one definition for HTTP and Kafka alike: a
 * Node system error code (`ECONNREFUSED`: semconv's "component-specific low-cardinality error
 * identifier"), else the class name (`TypeError`, `KafkaJSNumberOfRetriesExceeded`), else `_OTHER`.
 */
export function errorTypeOf(err: unknown): string {
  if (err !== null && typeof err === "object") {
    const code = (err as { code?: unknown }).code;
    // Node's system errors (ECONNREFUSED, ETIMEDOUT) say more than their class `Error`.
    if (typeof code === "string" && SYSTEM_ERROR_CODE.test(code)) return code;
    const name = (err as { constructor?: { name?: unknown } }).constructor?.name;
    if (typeof name === "string" && name !== "" && name !== "Object") return name;
  }
  return ERROR_TYPE_OTHER;
}
