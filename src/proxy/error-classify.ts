import type { UpstreamErrorType } from "../health/attempt-outcome.ts";

/** Raised by the proxy's own timers so they are distinguishable from socket errors. */
export class UpstreamTimeoutError extends Error {
  readonly phase: "connect" | "response" | "idle";
  constructor(phase: "connect" | "response" | "idle", ms: number) {
    super(`upstream ${phase} timeout after ${ms}ms`);
    this.name = "UpstreamTimeoutError";
    this.phase = phase;
  }
}

/** Sorts a socket or timer error into the low-cardinality {@link UpstreamErrorType}. */
export function classifyUpstreamError(err: unknown): UpstreamErrorType {
  if (err instanceof UpstreamTimeoutError) return "timeout";
  const code = (err as NodeJS.ErrnoException | undefined)?.code ?? "";
  switch (code) {
    case "ECONNREFUSED":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
    case "EADDRNOTAVAIL":
      return "connect_error";
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_FAIL":
      return "dns_error";
    case "ETIMEDOUT":
      return "timeout";
    default:
      return code.startsWith("HPE_") ? "bad_response" : "reset";
  }
}
