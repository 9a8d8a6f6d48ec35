import type { UpstreamConfig } from "../config/types.ts";
import type { PassiveRecorder } from "../health/attempt-outcome.ts";
import type { UpstreamPool } from "../pool/upstream-pool.ts";
import type { Strategy } from "../strategies/strategy.ts";
import type { ConnectionQueue } from "./connection-queue.ts";
import type { RetryPolicy } from "./retry-policy.ts";

/**
 * Everything the proxy needs to send a request to one upstream, assembled by the
 * {@link UpstreamRegistry}: the pool (fed by discovery), the strategy that picks from its
 * candidates, passive health, the retry policy and the connection queue. A reload makes a new
 * view around the same pool; requests already running keep the view they started with.
 *
 * A canary will be a second pool fed by the same snapshots through a metadata selector, with its
 * own strategy and a share of traffic; the proxy asks the upstream for candidates in one place
 * (proxy/backend-selector.ts), which is where the share is applied.
 */
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
