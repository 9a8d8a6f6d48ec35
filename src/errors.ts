/**
 * Every error traceway reports to a client or a user carries a stable code and the HTTP
 * status it maps to, so logs, dashboards and clients can match on the code, not the text.
 *
 * 503 means no backend could take the request, whether all were known to be down
 * (NO_HEALTHY_BACKEND) or every try failed to connect (UPSTREAM_CONNECT, UPSTREAM_DNS), as HAProxy
 * and Envoy answer (nginx says 502); every 503 carries `Retry-After`. 502 means a backend took the
 * request and failed it, 504 that it took too long to answer.
 */
export const ErrorCodes = {
  NO_HEALTHY_BACKEND: { code: "TRACEWAY_ERR_NO_HEALTHY_BACKEND", status: 503 },
  NO_ROUTE: { code: "TRACEWAY_ERR_NO_ROUTE", status: 404 },
  UPSTREAM_CONNECT: { code: "TRACEWAY_ERR_UPSTREAM_CONNECT", status: 503 },
  UPSTREAM_RESET: { code: "TRACEWAY_ERR_UPSTREAM_RESET", status: 502 },
  UPSTREAM_BAD_RESPONSE: { code: "TRACEWAY_ERR_UPSTREAM_BAD_RESPONSE", status: 502 },
  UPSTREAM_DNS: { code: "TRACEWAY_ERR_UPSTREAM_DNS", status: 503 },
  UPSTREAM_TIMEOUT: { code: "TRACEWAY_ERR_UPSTREAM_TIMEOUT", status: 504 },
  QUEUE_FULL: { code: "TRACEWAY_ERR_QUEUE_FULL", status: 503 },
  QUEUE_TIMEOUT: { code: "TRACEWAY_ERR_QUEUE_TIMEOUT", status: 503 },
  SHUTTING_DOWN: { code: "TRACEWAY_ERR_SHUTTING_DOWN", status: 503 },
  BAD_REQUEST: { code: "TRACEWAY_ERR_BAD_REQUEST", status: 400 },
  UNSUPPORTED_TRANSFER_CODING: { code: "TRACEWAY_ERR_UNSUPPORTED_TRANSFER_CODING", status: 501 },
  CONFIG_INVALID: { code: "TRACEWAY_ERR_CONFIG_INVALID", status: 500 },
  UNKNOWN_STRATEGY: { code: "TRACEWAY_ERR_UNKNOWN_STRATEGY", status: 500 },
  // The admin API (docs/admin-api.md#errors).
  ADMIN_UNAUTHORIZED: { code: "TRACEWAY_ERR_ADMIN_UNAUTHORIZED", status: 401 },
  ADMIN_BAD_INPUT: { code: "TRACEWAY_ERR_ADMIN_BAD_INPUT", status: 400 },
  ADMIN_BODY_TOO_LARGE: { code: "TRACEWAY_ERR_ADMIN_BAD_INPUT", status: 413 },
  ADMIN_NOT_JSON: { code: "TRACEWAY_ERR_ADMIN_BAD_INPUT", status: 415 },
  ADMIN_NOT_FOUND: { code: "TRACEWAY_ERR_ADMIN_NOT_FOUND", status: 404 },
  METHOD_NOT_ALLOWED: { code: "TRACEWAY_ERR_METHOD_NOT_ALLOWED", status: 405 },
  UNKNOWN_UPSTREAM: { code: "TRACEWAY_ERR_UNKNOWN_UPSTREAM", status: 404 },
  UNKNOWN_BACKEND: { code: "TRACEWAY_ERR_UNKNOWN_BACKEND", status: 404 },
  NO_CANARY: { code: "TRACEWAY_ERR_NO_CANARY", status: 404 },
  CANARY_CONFLICT: { code: "TRACEWAY_ERR_CANARY_CONFLICT", status: 409 },
  ADMIN_UNAVAILABLE: { code: "TRACEWAY_ERR_ADMIN_UNAVAILABLE", status: 503 },
  ADMIN_INTERNAL: { code: "TRACEWAY_ERR_ADMIN_INTERNAL", status: 500 },
} as const;

/**
 * The code telemetry and the access log give a request whose client went away before its
 * response was complete. Not an error traceway answers with, so not in {@link ErrorCodes}.
 */
export const CLIENT_CLOSED = "TRACEWAY_ERR_CLIENT_CLOSED";

export type ErrorKind = keyof typeof ErrorCodes;
export type ErrorCode = (typeof ErrorCodes)[ErrorKind]["code"];

/** An error with a stable code and HTTP status. */
export class TracewayError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly kind: ErrorKind;

  constructor(kind: ErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "TracewayError";
    this.kind = kind;
    this.code = ErrorCodes[kind].code;
    this.status = ErrorCodes[kind].status;
  }

  /** The JSON body sent to clients. */
  toJSON(): { error: { code: ErrorCode; message: string } } {
    return { error: { code: this.code, message: this.message } };
  }
}
