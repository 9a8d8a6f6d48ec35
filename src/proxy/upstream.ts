import type { UpstreamConfig } from "../config/types.ts";
import type { Backend } from "../pool/backend.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { Strategy } from "../strategies/strategy.ts";
import type { ConnectionQueue } from "./connection-queue.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/** What passive health learns from each attempt. */
export type PassiveOutcome =
  | { readonly kind: "success" }
  | { readonly kind: "connect_error" | "timeout" | "reset" | "http_5xx"; readonly status?: number };

export interface PassiveRecorder {
  record(backend: Backend, outcome: PassiveOutcome): void;
}

/** Everything the proxy needs to send a request to one upstream. */
export interface Upstream {
  readonly name: string;
  readonly config: UpstreamConfig;
  readonly pool: UpstreamPool;
  readonly strategy: Strategy;
  readonly passive: PassiveRecorder;
  readonly retry: RetryPolicy;
  /** Present when `maxConnsPerBackend` > 0. */
  readonly queue: ConnectionQueue | undefined;
}
