import type { Backend } from "../pool/backend.ts";

/**
 * How an upstream attempt failed, in the words passive health, retries (`retry.on`) and telemetry
 * (`error.type`) share. Low-cardinality by design. The proxy classifies socket errors into it.
 */
export type UpstreamErrorType = "connect_error" | "timeout" | "reset" | "dns_error" | "bad_response";

/** What passive health learns from each attempt. */
export type PassiveOutcome =
  | { readonly kind: "success" }
  | { readonly kind: "connect_error" | "timeout" | "reset" | "http_5xx"; readonly status?: number };

/** Where the proxy reports each attempt's outcome; passive health implements it. */
export interface PassiveRecorder {
  record(backend: Backend, outcome: PassiveOutcome): void;
}

const CONNECT_ERROR: PassiveOutcome = { kind: "connect_error" };
const TIMEOUT: PassiveOutcome = { kind: "timeout" };
const RESET: PassiveOutcome = { kind: "reset" };

/** A failed attempt as passive health counts it: a DNS failure is a failure to connect. */
export function passiveOutcomeOf(type: UpstreamErrorType): PassiveOutcome {
  if (type === "timeout") return TIMEOUT;
  if (type === "connect_error" || type === "dns_error") return CONNECT_ERROR;
  return RESET;
}
